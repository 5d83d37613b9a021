"""Vega-Lite specs for the ready-made answers (the data is added by :class:`Answer`).

Colours follow UI.md's state palette where a chart shows states; everything else uses
Vega-Lite's defaults, which JupyterLab themes already.
"""

from __future__ import annotations

from typing import Any

STATE_COLOURS = {"completed": "#2e7d32", "failed": "#c62828", "retrying": "#ef6c00",
                 "cached": "#6a1b9a", "cancelled": "#616161"}  # fmt: skip


def ranged_bars(category: str, low: str, mid: str, high: str, unit: str) -> dict[str, Any]:
    """One row per category: a bar from ``low`` to ``high`` with a tick at ``mid``
    (p50 to p95 latency, say)."""
    y = {"field": category, "type": "nominal", "sort": f"-{high}", "title": category}
    return {
        "width": 420,
        "layer": [
            {"mark": {"type": "bar", "height": 12, "opacity": 0.55},
             "encoding": {"y": y, "x": {"field": low, "type": "quantitative",
                                        "title": f"{low} to {high} ({unit})"},
                          "x2": {"field": high}}},
            {"mark": {"type": "tick", "thickness": 2, "size": 14},
             "encoding": {"y": y, "x": {"field": mid, "type": "quantitative"}}},
        ],
    }  # fmt: skip


def bars(category: str, value: str, title: str, colour: str | None = None) -> dict[str, Any]:
    encoding: dict[str, Any] = {
        "y": {"field": category, "type": "nominal", "sort": "-x", "title": category},
        "x": {"field": value, "type": "quantitative", "title": title},
    }
    if colour is not None:
        encoding["color"] = {"field": colour, "type": "nominal"}
    return {"width": 420, "mark": "bar", "encoding": encoding}


def stacked_outcomes(category: str, fields: dict[str, str]) -> dict[str, Any]:
    """Attempts per category, stacked by outcome (``fields``: column -> outcome name)."""
    return {
        "width": 420,
        "transform": [{"fold": list(fields), "as": ["column", "count"]},
                      {"calculate": _lookup(fields), "as": "outcome"}],
        "mark": "bar",
        "encoding": {
            "y": {"field": category, "type": "nominal", "sort": "-x"},
            "x": {"field": "count", "type": "quantitative", "stack": True, "title": "attempts"},
            "color": {"field": "outcome", "type": "nominal",
                      "scale": {"domain": list(fields.values()),
                                "range": [STATE_COLOURS.get(v, "#1565c0")
                                          for v in fields.values()]}},
        },
    }  # fmt: skip


def timeline(time: str, value: str, series: str | None = None) -> dict[str, Any]:
    encoding: dict[str, Any] = {
        "x": {"field": time, "type": "temporal", "title": "time"},
        "y": {"field": value, "type": "quantitative", "title": value},
    }
    if series is not None:
        encoding["color"] = {"field": series, "type": "nominal"}
    return {"width": 480, "mark": {"type": "line", "point": True}, "encoding": encoding}


def variant_panels(measures: list[str]) -> dict[str, Any]:
    """One small bar chart per measure, the variants side by side."""
    return {
        "hconcat": [
            {"width": 140, "mark": "bar",
             "encoding": {"x": {"field": "variant", "type": "nominal", "title": None},
                          "y": {"field": m, "type": "quantitative", "title": m},
                          "color": {"field": "variant", "type": "nominal", "legend": None}}}
            for m in measures
        ]
    }  # fmt: skip


def _lookup(fields: dict[str, str]) -> str:
    expr = "datum.column"
    for column, name in fields.items():
        expr = f"datum.column == '{column}' ? '{name}' : ({expr})"
    return expr
