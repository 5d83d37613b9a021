"""Analytics answers in a real JupyterLab: the Vega-Lite chart is drawn by JupyterLab's own
renderer (no plotting library, no network)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab_page import TOKEN, LabPage, write_notebook

CELLS = [
    """\
import orch8_nb as o8

engine = o8.Engine("sqlite://:memory:", clock=o8.VirtualClock(seed=3), autostart=False)
split = o8.ab_split("arm", o8.variant("a", 1, o8.step("x", "noop")),
                    o8.variant("b", 1, o8.step("y", "noop", delay="3s")))
for _ in range(12):
    engine.create_instance(o8.sequence("ab", split))
engine.run_until_idle()
""",
    "engine.analytics.ab_outcomes()",
    "engine.analytics.step_latency()",
]


@pytest.fixture(scope="module")
def page(browser: Any, lab: str, lab_root: Path) -> Iterator[LabPage]:
    write_notebook(lab_root / "analytics.ipynb", CELLS)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    lab_page = LabPage(context.new_page(), lab, TOKEN)
    lab_page.open_lab("analytics")
    lab_page.open_notebook("analytics.ipynb")
    lab_page.run_all()
    yield lab_page
    context.close()


def test_answers_draw_as_vega_lite_charts(page: LabPage, shot: Any) -> None:
    charts = page.page.locator(".jp-RenderedVegaCommon5 svg, .jp-RenderedVegaCommon5 canvas")
    charts.nth(1).wait_for(timeout=60_000)
    assert charts.count() >= 2
    text = page.page.locator(".jp-RenderedVegaCommon5").first.inner_text()
    assert "error" not in text.lower()
    # The numbers follow each chart as a table.
    table = page.page.locator("table.orch8-answer").first
    assert "variant" in table.inner_text() and "completion_rate" in table.inner_text()
    shot(page.page, "analytics-charts")
