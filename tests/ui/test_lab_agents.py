"""An agent in the live tree, in a real JupyterLab and Chromium: it stops to ask before a
dangerous tool (answered from the inspector), then its answer streams onto the running
node's card, and the final answer is what the kernel has."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab_page import TOKEN, LabPage, write_notebook

SETUP = """\
import orch8_nb as o8

engine = o8.Engine("sqlite:///agents-ui.db")

@engine.tool(dangerous=True)
def wipe(path: str) -> str:
    \"\"\"Delete a folder.\"\"\"
    return f"wiped {path}"

engine.llm.script(
    {"tool_calls": [{"name": "wipe", "arguments": {"path": "/tmp/cache"}}]},
    "The cache folder is wiped. " * 12 + "Done.",
    name="model",
)
engine.llm.replay_pace = 40  # characters a second: the answer takes a while to arrive
"""

AGENT = """\
seq = o8.sequence("ui-agent", o8.step("agent", "agent", params={
    "provider": "model", "goal": "Free some disk space", "stream": True}))
inst = engine.create_instance(seq)
o8.ExecutionTree(inst)
"""


@pytest.fixture(scope="module")
def page(browser: Any, lab: str, lab_root: Path) -> Iterator[LabPage]:
    write_notebook(lab_root / "agent.ipynb", [SETUP, AGENT])
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    lab_page = LabPage(context.new_page(), lab, TOKEN)
    lab_page.open_lab("agent")
    lab_page.open_notebook("agent.ipynb")
    lab_page.run_all()
    yield lab_page
    context.close()


def test_an_agent_asks_before_a_dangerous_tool_then_streams_its_answer(
    page: LabPage, shot: Any
) -> None:
    tree = page.page.locator("[data-testid='orch8-tree']").first
    tree.wait_for(timeout=60_000)
    agent = tree.locator("[data-testid='orch8-node-agent']")
    agent.and_(tree.locator("[data-state='waiting']")).wait_for(timeout=60_000)
    assert "approval" in agent.inner_text()
    agent.click()
    inspector = tree.locator("[data-testid='orch8-inspector']")
    inspector.wait_for(timeout=30_000)
    assert "wipe" in inspector.inner_text()
    shot(page.page, "agent-approval")
    inspector.locator("[data-testid='orch8-gate-choice-yes']").click()

    # While the answer streams, the card is running and shows its latest words.
    streaming = tree.locator(
        "[data-testid='orch8-node-agent'][data-state='running'] .orch8-status-detail",
        has_text="wiped",
    )
    streaming.wait_for(timeout=30_000)
    assert "turn 2" in agent.inner_text()
    # The inspector, still open on the step, shows more of the text as it arrives.
    stream = inspector.locator("[data-testid='orch8-stream']")
    stream.wait_for(timeout=10_000)
    first = stream.inner_text()
    page.page.wait_for_function(
        "(n) => { const s = document.querySelector(\"[data-testid='orch8-stream']\");"
        " return s && s.textContent.length > n; }",
        arg=len(first),
        timeout=10_000,
    )
    assert "The cache folder is wiped." in stream.inner_text()
    shot(page.page, "agent-streaming")
    agent.and_(tree.locator("[data-state='completed']")).wait_for(timeout=60_000)
    final = page.kernel("print(inst.wait(timeout=30).outputs['agent']['final'][-5:])")
    assert final.strip() == "Done."
