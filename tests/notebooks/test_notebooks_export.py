"""Saved notebooks read well without JupyterLab: nbconvert's HTML (what nbviewer and most
static hosts show) draws every orch8-nb output from its static HTML, with no widget boxes
that could never load."""

from __future__ import annotations

import nbformat
from nbconvert import HTMLExporter
from nbrun import NOTEBOOKS


def test_the_quickstart_exports_to_html_with_every_drawing() -> None:
    nb = nbformat.read(NOTEBOOKS / "01-quickstart.ipynb", as_version=4)
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert "widget-view" not in html and "widget-state" not in html
    # The editor's sequence, the watched instance's final tree, the instances table.
    assert html.count('class="o8nb o8nb-sequence"') >= 2
    assert "instance of <b>pipeline</b>" in html
    assert "✓ completed" in html and "✗ failed" in html
    assert "<table" in html and ">checkout</td>" in html
