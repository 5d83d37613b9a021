"""One palette for node and instance states: colour, icon and label, never colour alone.

Colours are JupyterLab CSS variables (so light and dark themes follow the user's theme)
with fallbacks that keep WCAG AA contrast on white outside JupyterLab.
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StateStyle:
    """How one state looks."""

    label: str
    icon: str
    color: str
    """CSS colour for border and text: a JupyterLab variable with a fallback."""
    border: str = "solid"
    faded: bool = False
    struck: bool = False
    """Strike through the card header (the badge itself stays readable)."""


_NEUTRAL = "var(--jp-ui-font-color2, #616161)"

STATE_PALETTE: dict[str, StateStyle] = {
    # node states (UI.md); instances share the names they have in common
    "pending": StateStyle("pending", "○", _NEUTRAL),
    "running": StateStyle("running", "▶", "var(--jp-brand-color1, #1565c0)"),
    "waiting": StateStyle("waiting", "◷", "var(--jp-warn-color0, #b45309)"),
    "completed": StateStyle("completed", "✓", "var(--jp-success-color0, #2e7d32)"),
    "failed": StateStyle("failed", "✗", "var(--jp-error-color0, #c62828)"),
    "cancelled": StateStyle("cancelled", "⊘", "var(--jp-ui-font-color1, #424242)", struck=True),
    "skipped": StateStyle(
        "skipped", "↷", "var(--jp-ui-font-color3, #757575)", border="dashed", faded=True
    ),
    # instance-only states
    "scheduled": StateStyle("scheduled", "◌", _NEUTRAL),
    "paused": StateStyle("paused", "‖", "var(--jp-info-color0, #0277bd)"),
}

UNKNOWN_STATE = StateStyle("unknown", "?", _NEUTRAL, border="dotted")


def state_style(state: str) -> StateStyle:
    """The style of ``state`` (a neutral dotted style for names this version does not know)."""
    return STATE_PALETTE.get(str(state), UNKNOWN_STATE)


def node_state_badge(state: str, detail: str | None = None) -> str:
    """A self-contained HTML badge (inline styles): icon, state name and optional detail.

    ``detail`` is the extra the UI shows with some states, e.g. ``"worker: send_email"``
    for waiting or the error's first line for failed.
    """
    style = state_style(state)
    name = style.label if style is not UNKNOWN_STATE else str(state)
    text = f"{style.icon} {name}" + (f": {detail}" if detail else "")
    css = (
        f"display:inline-block;border:1px {style.border} {style.color};color:{style.color};"
        "border-radius:9px;padding:0 6px;font-size:11px;line-height:16px;white-space:nowrap;"
        "max-width:32em;overflow:hidden;text-overflow:ellipsis;vertical-align:middle"
        + (";opacity:0.7" if style.faded else "")
    )
    title = f' title="{html.escape(text)}"' if detail else ""
    return f'<span class="o8nb-state" style="{css}"{title}>{html.escape(text)}</span>'


state_badge = node_state_badge
"""Alias for instance states, which share the palette."""
