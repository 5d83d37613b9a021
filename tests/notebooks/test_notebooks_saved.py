"""Every notebook is saved executed, in canonical form, with outputs that repeat.

nbval (configured in pyproject.toml) re-runs the notebooks and compares their outputs;
these checks are static and catch what nbval does not: timing metadata, an unexecuted
or half-executed notebook, and values that could never repeat.
"""

from __future__ import annotations

import re

import pytest
from nbrun import NOTEBOOKS, dumps, notebook_names, read

UNREPEATABLE = {
    "uuid": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    "memory address": re.compile(r"\bat 0x[0-9a-f]+|0x[0-9a-f]{8,}"),
    "temporary path": re.compile(r"/tmp/|/var/folders/|ipykernel_\d+"),
}


def test_there_are_notebooks() -> None:
    assert len(notebook_names()) >= 4


@pytest.mark.parametrize("name", notebook_names())
def test_saved_in_canonical_form(name: str) -> None:
    """Executed top to bottom, no timings: re-running it rewrites the same bytes."""
    nb = read(name)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert dumps(nb) == (NOTEBOOKS / name).read_text(encoding="utf-8"), (
        f"{name} is not in canonical form; refresh with `python tests/notebooks/nbrun.py`"
    )


@pytest.mark.parametrize("name", notebook_names())
def test_outputs_hold_nothing_unrepeatable(name: str) -> None:
    for index, cell in enumerate(read(name).cells):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{name} cell {index} saved an error"
            texts = [out.get("text", "")] + [
                v for v in out.get("data", {}).values() if isinstance(v, str)
            ]
            for what, pattern in UNREPEATABLE.items():
                for text in texts:
                    assert not pattern.search(text), f"{name} cell {index} shows a {what}"
