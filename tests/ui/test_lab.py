"""The notebook UI in a real JupyterLab and a real (headless Debian) Chromium.

Each test asserts through the DOM (``data-testid`` attributes of the widgets) and through
the kernel, and saves a screenshot under ``test-artifacts/ui/``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from lab_page import ARTIFACTS, TOKEN, LabPage, write_notebook
from nbclient import NotebookClient

from orch8_nb.engine.clock import perf_counter

SETUP = """\
import time
import orch8_nb as o8

engine = o8.Engine("sqlite:///ui.db")

@engine.handler("work")
def work(ctx):
    time.sleep(0.3)
    return {"done": ctx.block_id}
"""

EDITOR = """\
seq = o8.sequence(
    "ui-demo",
    o8.step("fetch", "work"),
    o8.parallel("fan", o8.step("left", "work"), o8.step("right", "work")),
    o8.step("report", "work"),
)
editor = o8.SequenceEditor(seq, engine)
editor
"""

# The cell keeps the kernel busy while the instance runs: the tree must update meanwhile.
LIVE = """\
inst = engine.create_instance(seq)
display(inst)
time.sleep(12)
"""

GATE = """\
gated_seq = o8.sequence(
    "ui-gate",
    o8.step("draft", "work"),
    o8.step("ship", "noop", wait_for_input=o8.human_input("Ship it?", choices=["yes", "no"])),
)
gated = engine.create_instance(gated_seq)
o8.ExecutionTree(gated)
"""

PAUSE = """\
slow = engine.create_instance(o8.sequence("ui-slow", o8.step("nap", "noop", delay="1h")))
o8.ExecutionTree(slow)
"""


# Notes whether the cell that displays the first tree was still running (its prompt shows
# "[*]") the moment that tree turned all green, to show that the tree updated while its
# cell blocked. Installed before the cells run.
WATCH_GREEN = """() => {
  window.orch8GreenWhileRunning = null;
  const timer = setInterval(() => {
    const tree = document.querySelector("[data-testid='orch8-tree']");
    const nodes = tree ? [...tree.querySelectorAll("[data-testid^='orch8-node-']")] : [];
    if (nodes.length >= 5 && nodes.every((n) => n.getAttribute("data-state") === "completed")) {
      const cell = tree.closest(".jp-CodeCell");
      const prompt = cell.querySelector(".jp-InputPrompt").textContent;
      window.orch8GreenWhileRunning = prompt.includes("*");
      clearInterval(timer);
    }
  }, 20);
}"""


@pytest.fixture(scope="module")
def page(browser: Any, lab: str, lab_root: Path) -> Iterator[LabPage]:
    write_notebook(lab_root / "live.ipynb", [SETUP, EDITOR, LIVE, GATE, PAUSE])
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    lab_page = LabPage(context.new_page(), lab, TOKEN)
    lab_page.open_lab("live")
    lab_page.open_notebook("live.ipynb")
    lab_page.page.evaluate(WATCH_GREEN)
    lab_page.run_all()
    yield lab_page
    context.close()


def node(page: LabPage, block_id: str, scope: str = "") -> Any:
    return page.page.locator(f"{scope} [data-testid='orch8-node-{block_id}']".strip()).first


def test_the_editor_shows_the_sequence_blocks(page: LabPage, shot: Any) -> None:
    editor = page.page.locator("[data-testid='orch8-editor']").first
    editor.wait_for(timeout=60_000)
    for block_id in ("fetch", "fan", "left", "right", "report"):
        node(page, block_id, "[data-testid='orch8-editor']").wait_for(timeout=30_000)
    shot(page.page, "editor")


def test_adding_a_block_from_the_palette_reaches_the_kernel(page: LabPage, shot: Any) -> None:
    editor = page.page.locator("[data-testid='orch8-editor']").first
    editor.wait_for(timeout=60_000)
    before = page.kernel("print(len(editor.sequence.blocks))").strip()
    editor.locator("[data-testid='orch8-palette-step']").click()
    page.page.wait_for_timeout(800)  # the edit is debounced, then synced over the comm
    after = page.kernel("print(len(editor.sequence.blocks))").strip()
    assert int(after) == int(before) + 1
    shot(page.page, "palette-added")


def until_kernel_prints(page: LabPage, code: str, expected: str, timeout_s: float = 15) -> None:
    """Run ``code`` in the kernel until it prints ``expected`` (edits reach it debounced)."""
    deadline = perf_counter() + timeout_s
    while (got := page.kernel(code).strip()) != expected:
        assert perf_counter() < deadline, f"kernel printed {got!r}, not {expected!r}"
        page.page.wait_for_timeout(200)


def test_keys_typed_in_the_editor_stay_in_the_editor(page: LabPage, shot: Any) -> None:
    editor = page.page.locator("[data-testid='orch8-editor']").first
    count_cells = "() => window.jupyterapp.shell.currentWidget.content.widgets.length"
    cells = page.page.evaluate(count_cells)
    ids = "print('report' in [b.id for b in editor.sequence.blocks])"
    until_kernel_prints(page, ids, "True")
    editor.locator("[data-testid='orch8-node-report']").click()
    # In JupyterLab's command mode "b" inserts a cell and "d d" deletes one.
    for key in ("b", "a", "d", "d"):
        page.page.keyboard.press(key)
    page.page.keyboard.press("Delete")  # the editor's: remove the selected block
    until_kernel_prints(page, ids, "False")
    page.page.keyboard.press("Control+z")
    until_kernel_prints(page, ids, "True")
    assert page.page.evaluate(count_cells) == cells
    shot(page.page, "keys")


def test_dragging_a_card_moves_it_into_another_container(page: LabPage, shot: Any) -> None:
    editor = page.page.locator("[data-testid='orch8-editor']").first
    until_kernel_prints(page, "print('report' in [b.id for b in editor.sequence.blocks])", "True")
    card = editor.locator("[data-testid='orch8-node-report']")
    left = editor.locator("[data-testid='orch8-node-left']")  # in the fan's first branch
    box = left.bounding_box()
    assert box is not None
    # Real HTML5 drag and drop in Chromium, onto the lower half of "left": after it.
    card.drag_to(left, target_position={"x": box["width"] / 2, "y": box["height"] - 4})
    until_kernel_prints(
        page,
        "print([b.id for b in editor.sequence.blocks], "
        "[b.id for b in editor.sequence.blocks[1].branches[0]])",
        "['fetch', 'fan', 'step_1'] " + "['left', 'report']",
    )
    shot(page.page, "dragged")
    editor.locator("[data-testid='orch8-editor-undo']").click()  # back, for the later tests
    until_kernel_prints(page, "print('report' in [b.id for b in editor.sequence.blocks])", "True")


def test_the_live_tree_turns_all_green(page: LabPage, lab_root: Path, shot: Any) -> None:
    tree = page.page.locator("[data-testid='orch8-tree']").first
    tree.wait_for(timeout=60_000)
    page.page.wait_for_function(
        """() => {
            const tree = document.querySelector("[data-testid='orch8-tree']");
            const nodes = tree ? tree.querySelectorAll("[data-testid^='orch8-node-']") : [];
            return nodes.length >= 5 &&
                [...nodes].every((n) => n.getAttribute("data-state") === "completed");
        }""",
        timeout=60_000,
    )
    # All green while the cell that sleeps still ran: updates flow while a cell blocks.
    assert page.page.evaluate("() => window.orch8GreenWhileRunning") is True
    assert page.kernel("print(inst.state)").strip() == "completed"
    shot(page.page, "tree-green")
    # The notebook saves the finished tree, not the one displayed at the start.
    page.page.wait_for_function(
        """async () => {
            const panel = window.jupyterapp.shell.currentWidget;
            const cell = panel.content.model.sharedModel.cells[2];
            const data = cell.outputs[0] && cell.outputs[0].data;
            const view = data && data["application/vnd.orch8.instance+json"];
            return view && view.instance.state === "completed";
        }""",
        timeout=30_000,
    )
    page.page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.page.wait_for_timeout(500)
    saved = nbformat.read(lab_root / "live.ipynb", as_version=4).cells[2].outputs[0]["data"]
    assert saved["application/vnd.orch8.instance+json"]["instance"]["state"] == "completed"
    assert "✓ completed" in saved["text/plain"].splitlines()[0]


def test_pause_from_the_tree_pauses_the_instance(page: LabPage, shot: Any) -> None:
    trees = page.page.locator("[data-testid='orch8-tree']")
    trees.nth(2).wait_for(timeout=60_000)
    tree = trees.nth(2)
    tree.locator("[data-testid='orch8-control-pause']").click()
    tree.locator("[data-testid='orch8-instance-state']", has_text="paused").wait_for(timeout=30_000)
    assert page.kernel("print(slow.state)").strip() == "paused"
    shot(page.page, "paused")


def test_approving_a_gate_lets_the_instance_finish(page: LabPage, shot: Any) -> None:
    trees = page.page.locator("[data-testid='orch8-tree']")
    trees.nth(1).wait_for(timeout=60_000)
    tree = trees.nth(1)
    ship = tree.locator("[data-testid='orch8-node-ship']")
    ship.and_(tree.locator("[data-state='waiting']")).wait_for(timeout=60_000)
    ship.click()
    inspector = tree.locator("[data-testid='orch8-inspector']")
    inspector.wait_for(timeout=30_000)
    inspector.locator("[data-testid='orch8-gate-choice-yes']").click()
    page.page.wait_for_function(
        """() => {
            const tree = document.querySelectorAll("[data-testid='orch8-tree']")[1];
            const ship = tree && tree.querySelector("[data-testid='orch8-node-ship']");
            return ship && ship.getAttribute("data-state") === "completed";
        }""",
        timeout=30_000,
    )
    assert page.kernel("print(gated.wait(timeout=10).state)").strip() == "completed"
    shot(page.page, "gate-approved")


LUMINANCE = """(selector) => {
  const el = document.querySelector(selector);
  const channel = (c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const lum = (css) => {
    const [r, g, b] = css.match(/[\\d.]+/g).map(Number);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const style = getComputedStyle(el);
  return {background: lum(style.backgroundColor), text: lum(style.color)};
}"""


def set_theme(page: LabPage, theme: str, light: bool) -> None:
    page.page.evaluate(
        "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )
    page.page.wait_for_function(
        "(light) => document.body.dataset.jpThemeLight === String(light)", arg=light
    )


def test_the_widgets_follow_the_dark_theme(page: LabPage, shot: Any) -> None:
    card = "[data-testid='orch8-editor'] [data-testid='orch8-node-fetch']"
    page.page.locator(card).wait_for(timeout=60_000)
    light = page.page.evaluate(LUMINANCE, card)
    set_theme(page, "JupyterLab Dark", False)
    try:
        page.page.wait_for_timeout(300)  # the theme's stylesheet applies
        dark = page.page.evaluate(LUMINANCE, card)
        page.page.locator(card).scroll_into_view_if_needed()
        shot(page.page, "dark")
    finally:
        set_theme(page, "JupyterLab Light", True)
    assert light["background"] > 0.8 and light["text"] < 0.1  # dark on white
    assert dark["background"] < 0.1 and dark["text"] > 0.4  # light on dark


@pytest.fixture(scope="module")
def saved(lab_root: Path) -> Path:
    """A notebook executed headless (nbclient, which saves widget state) and trusted, as a
    user's own notebook is: its outputs carry both the widget view and the static view."""
    path = lab_root / "saved.ipynb"
    write_notebook(
        path,
        [
            "import orch8_nb as o8\nengine = o8.Engine('sqlite://:memory:')\n"
            "inst = engine.run(o8.sequence('saved', o8.step('a', 'noop'),"
            " o8.parallel('p', o8.step('b', 'noop'), o8.step('c', 'noop'))))\ninst"
        ],
    )
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(lab_root)}}).execute()
    nbformat.write(nb, path)
    subprocess.run([sys.executable, "-m", "jupyter", "trust", str(path)], check=True)
    assert "application/vnd.orch8.instance+json" in nb.cells[0].outputs[0]["data"]
    return path


def test_a_saved_notebook_shows_its_tree_without_a_kernel(
    browser: Any, lab: str, saved: Path, shot: Any
) -> None:
    """Reopened with no kernel: the tree shows, never "Loading widget..."."""
    assert saved.stat().st_size < 200_000  # the widget state holds the loader, not 2 MB
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    lab_page = LabPage(context.new_page(), lab, TOKEN)
    try:
        lab_page.open_lab("saved")
        lab_page.open_notebook(saved.name, kernel=False)
        output = lab_page.page.locator(".jp-OutputArea-output").first
        out = output.locator("[data-testid='orch8-node-c']").first
        out.wait_for(timeout=30_000)
        assert out.get_attribute("data-state") == "completed"
        assert "Loading widget" not in output.inner_text()
        assert not lab_page.has_kernel()
        shot(lab_page.page, "static-tree")
    finally:
        context.close()


def test_notebook_7_draws_the_saved_tree(browser: Any, lab: str, saved: Path, shot: Any) -> None:
    """Notebook 7 loads the same extension: the saved tree draws there too."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{lab}/notebooks/{saved.name}?token={TOKEN}")
        out = page.locator(".jp-OutputArea-output [data-testid='orch8-node-c']").first
        out.wait_for(timeout=60_000)
        assert out.get_attribute("data-state") == "completed"
        shot(page, "notebook7")
    finally:
        context.close()


def test_widgets_load_from_the_kernel_where_the_page_has_no_copy(
    browser: Any, lab: str, lab_root: Path, shot: Any
) -> None:
    """As in VS Code or a lab page older than the package: the loader asks the kernel."""
    write_notebook(
        lab_root / "fetch.ipynb",
        [
            "import orch8_nb as o8\nengine = o8.Engine('sqlite://:memory:')\n"
            "inst = engine.run(o8.sequence('fetched', o8.step('only', 'noop')))\n"
            "o8.ExecutionTree(inst)"
        ],
    )
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    lab_page = LabPage(context.new_page(), lab, TOKEN)
    try:
        lab_page.open_lab("fetch")
        lab_page.page.evaluate(
            """() => {
                const views = globalThis[Symbol.for("orch8-nb.widgets")];
                for (const build of Object.keys(views)) delete views[build];
            }"""
        )
        lab_page.open_notebook("fetch.ipynb")
        lab_page.run_all()
        page = lab_page.page
        node(lab_page, "only", "[data-testid='orch8-tree']").wait_for(timeout=60_000)
        assert page.locator("style[data-orch8-nb]").count() == 1  # widgets.css, from the kernel
        shot(page, "fetched")
    finally:
        context.close()


# Frame gaps (requestAnimationFrame) for `ms`, and how many node states changed in the
# first live tree meanwhile: a frozen tab draws no frames, a stuck tree changes nothing.
FRAMES = """async (ms) => {
  const tree = document.querySelector("[data-testid='orch8-tree']");
  let changes = 0;
  const watch = new MutationObserver((records) => { changes += records.length; });
  watch.observe(tree, {subtree: true, attributes: true, attributeFilter: ["data-state"]});
  const gaps = [];
  let last = performance.now();
  const end = last + ms;
  await new Promise((resolve) => {
    const tick = (now) => {
      gaps.push(now - last);
      last = now;
      if (now < end) requestAnimationFrame(tick); else resolve();
    };
    requestAnimationFrame(tick);
  });
  watch.disconnect();
  gaps.sort((a, b) => a - b);
  const at = (q) => Math.round(gaps[Math.floor(gaps.length * q)] * 10) / 10;
  return {frames: gaps.length, p50_ms: at(0.5), p95_ms: at(0.95), max_ms: at(1 - 1e-9),
          state_changes: changes};
}"""

# Milliseconds from the editor's element appearing to all 300 cards drawn in it (a promise
# kept on the page, started before the cells run).
EDITOR_OPEN = """() => { window.orch8EditorOpen = new Promise((resolve) => {
  let start = null;
  const check = () => {
    const editor = document.querySelector("[data-testid='orch8-editor']");
    if (editor && start === null) start = performance.now();
    const cards = editor ? editor.querySelectorAll("[data-testid^='orch8-node-s']").length : 0;
    if (cards >= 300) resolve(Math.round(performance.now() - start));
    else requestAnimationFrame(check);
  };
  check();
}); }"""

BIG = """\
big_seq = o8.sequence("ui-big", *[o8.step(f"s{i:03d}", "fast") for i in range(300)])

@engine.handler("fast")
def fast(ctx):
    time.sleep(0.02)
    return {}

big_editor = o8.SequenceEditor(big_seq, engine)
big_editor
"""

BIG_TREE = """\
big = engine.create_instance(big_seq)
o8.ExecutionTree(big)
"""


def test_300_blocks_open_and_update_without_freezing(
    browser: Any, lab: str, lab_root: Path, shot: Any
) -> None:
    write_notebook(lab_root / "big.ipynb", [SETUP, BIG, BIG_TREE])
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    lab_page = LabPage(context.new_page(), lab, TOKEN)
    try:
        lab_page.open_lab("big")
        lab_page.open_notebook("big.ipynb")
        page = lab_page.page
        page.evaluate(EDITOR_OPEN)
        lab_page.run_all()
        editor_ms = page.evaluate("() => window.orch8EditorOpen")
        node(lab_page, "s000", "[data-testid='orch8-tree']").wait_for(timeout=60_000)
        frames = page.evaluate(FRAMES, 3000)  # while the 300-step instance runs (~6 s)
        page.wait_for_function(
            """() => {
                const tree = document.querySelector("[data-testid='orch8-tree']");
                const s = tree && tree.querySelector("[data-testid='orch8-instance-state']");
                return s && s.textContent.includes("completed");
            }""",
            timeout=120_000,
        )
        page.locator("[data-testid='orch8-tree']").first.scroll_into_view_if_needed()
        shot(page, "big")
        report = {"editor_open_ms": editor_ms, "live_tree": frames}
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "big-sequence.json").write_text(json.dumps(report, indent=1))
        print(f"300 blocks: {report}")
        # Recorded, not timed (benchmarks/RESULTS.md): a frozen tab draws no frames, and a
        # tree that does not update live changes no state while the instance runs.
        assert frames["frames"] > 10
        assert frames["state_changes"] > 0
    finally:
        context.close()
