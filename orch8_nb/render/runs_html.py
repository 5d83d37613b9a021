"""Static HTML of the run views: the instances table and the attempts timeline.

What a saved notebook shows for an ``InstancesTable`` or a ``Timeline`` once its kernel is
gone. Like every static rendering it holds no ids and no wall-clock times. The timeline's
bars start on the engine clock, relative to the first attempt, but their lengths are the
measured handler times: the one static picture that can differ between two runs.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any, Final

from orch8_nb.model.durations import format_duration_ms
from orch8_nb.render._style import STYLE
from orch8_nb.render.states import node_state_badge, state_style

_CELL: Final = (
    "padding:2px 8px;text-align:left;border-bottom:1px solid var(--jp-border-color2,#e0e0e0)"
)
_BAR_HEIGHT: Final = 14
_ROW_GAP: Final = 6
_LABEL_WIDTH: Final = 120
_CHART_WIDTH: Final = 560
_DLQ: Final = ' <span class="o8nb-muted">DLQ</span>'
#: Bar colour per attempt outcome (a retried attempt failed; anything else: amber).
_OUTCOME_STATES: Final = {"completed": "completed", "failed": "failed", "retried": "failed"}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def instances_table_html(rows: Sequence[Mapping[str, Any]]) -> str:
    """The table's rows (sequence, version, state), newest first, without ids or times."""
    if not rows:
        return f'<div class="o8nb">{STYLE}<div class="o8nb-muted">no instances</div></div>'
    head = "".join(f'<th style="{_CELL}">{name}</th>' for name in ("sequence", "version", "state"))
    body = "".join(
        "<tr>"
        f'<td style="{_CELL}">{_e(row["sequence_name"])}</td>'
        f'<td style="{_CELL}">v{_e(row["version"])}</td>'
        f'<td style="{_CELL}">{node_state_badge(str(row["state"]))}'
        f"{_DLQ if row.get('dlq') else ''}</td>"
        "</tr>"
        for row in rows
    )
    return (
        f'<div class="o8nb">{STYLE}<table style="border-collapse:collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def timeline_svg(bars: Sequence[Mapping[str, Any]]) -> str:
    """A Gantt chart as inline SVG: one row per instance, one bar per attempt."""
    if not bars:
        return f'<div class="o8nb">{STYLE}<div class="o8nb-muted">no attempts yet</div></div>'
    rows: dict[str, int] = {}
    for bar in bars:
        rows.setdefault(str(bar["instance"]), len(rows))
    span = max(float(bar["end_ms"]) for bar in bars) or 1.0
    scale = _CHART_WIDTH / span
    height = len(rows) * (_BAR_HEIGHT + _ROW_GAP) + 16
    parts = [
        f'<text x="0" y="{row * (_BAR_HEIGHT + _ROW_GAP) + _BAR_HEIGHT - 3}" '
        f'font-size="11" fill="currentColor">{_e(name)}</text>'
        for name, row in rows.items()
    ]
    for bar in bars:
        start, end = float(bar["start_ms"]), float(bar["end_ms"])
        look = state_style(_OUTCOME_STATES.get(str(bar["outcome"]), "waiting"))
        y = rows[str(bar["instance"])] * (_BAR_HEIGHT + _ROW_GAP)
        title = (
            f"{bar['block_id']} attempt {bar['attempt']}: {bar['outcome']}, "
            f"{format_duration_ms(round(end - start))}"
        )
        parts.append(
            f'<rect x="{_LABEL_WIDTH + start * scale:.1f}" y="{y}" '
            f'width="{max(2.0, (end - start) * scale):.1f}" height="{_BAR_HEIGHT}" rx="2" '
            f'style="fill:{look.color};opacity:0.8"><title>{_e(title)}</title></rect>'
        )
    axis_y = height - 4
    parts.append(
        f'<text x="{_LABEL_WIDTH}" y="{axis_y}" font-size="10" fill="currentColor">0</text>'
        f'<text x="{_LABEL_WIDTH + _CHART_WIDTH}" y="{axis_y}" font-size="10" '
        f'text-anchor="end" fill="currentColor">{_e(format_duration_ms(round(span)))}</text>'
    )
    width = _LABEL_WIDTH + _CHART_WIDTH + 4
    return (
        f'<div class="o8nb">{STYLE}<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="timeline of {len(bars)} attempts" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="color:var(--jp-ui-font-color1,#1f1f1f)">'
        f"{''.join(parts)}</svg></div>"
    )
