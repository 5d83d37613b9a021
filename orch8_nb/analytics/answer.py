"""What a ready-made question returns: a small table, and a chart of it.

Displayed in JupyterLab the chart is a Vega-Lite spec (``application/vnd.vegalite.v5+json``,
drawn natively, no plotting library needed) and anywhere else the numbers as a text
table. ``relation`` is the DuckDB relation behind it, for ``.df()``, ``.pl()`` or more SQL.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

VEGA_LITE = "application/vnd.vegalite.v5+json"
SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v5.json"


@dataclass
class Answer:
    title: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    #: The Vega-Lite spec without its data (the rows are added as ``data.values``).
    chart: dict[str, Any] | None = None
    relation: Any = field(default=None, repr=False)
    #: Facts beside the table (an A/B difference with its confidence interval...).
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts, column name to value."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def vega_lite(self) -> dict[str, Any] | None:
        """The full chart spec, with the rows inlined as its data."""
        if self.chart is None:
            return None
        values = [{k: _plain(v) for k, v in rec.items()} for rec in self.records()]
        return {"$schema": SCHEMA_URL, "title": self.title, "data": {"values": values},
                **self.chart}  # fmt: skip

    def text(self) -> str:
        return "\n".join([self.title, *_table(self.columns, self.rows), *self.notes])

    def __repr__(self) -> str:
        return self.text()

    def html(self) -> str:
        """The table and the notes as HTML (shown under the chart in JupyterLab)."""
        head = "".join(f"<th>{escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(fmt(v))}</td>" for v in row) + "</tr>"
            for row in self.rows
        )
        notes = "".join(f"<p>{escape(n)}</p>" for n in self.notes)
        return (f'<table class="orch8-answer"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>{notes}")  # fmt: skip

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/plain": self.text()}
        spec = self.vega_lite()
        if spec is not None:
            bundle[VEGA_LITE] = spec
        else:
            bundle["text/html"] = self.html()
        return bundle

    def _ipython_display_(self) -> None:
        """In a notebook: the chart (its text fallback is the table), then the numbers as
        an HTML table, for the front ends that draw the chart instead of the text."""
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        display(bundle, raw=True)  # type: ignore[no-untyped-call]
        if VEGA_LITE in bundle:
            display({"text/html": self.html()}, raw=True)  # type: ignore[no-untyped-call]


def _plain(value: Any) -> Any:
    """A JSON-safe value for the chart (NaN and infinities become null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "-"
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    cells = [[fmt(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row[i], int | float) or row[i] is None for row in rows)
               for i in range(len(columns))]  # fmt: skip

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w)
                 for v, w, num in zip(values, widths, numeric, strict=True)]  # fmt: skip
        return "  ".join(parts).rstrip()

    out = [line(list(columns)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells] if cells else ["(no rows)"]
    return out
