"""What a ready-made question returns: a small table, and a chart of it.

Displayed in JupyterLab the chart is a Vega-Lite spec (``application/vnd.vegalite.v5+json``,
drawn natively, no plotting library needed) and anywhere else the numbers as a text
table. ``relation`` is the DuckDB relation behind it, for ``.df()``, ``.pl()`` or more SQL.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
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

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/plain": self.text()}
        spec = self.vega_lite()
        if spec is not None:
            bundle[VEGA_LITE] = spec
        return bundle


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
