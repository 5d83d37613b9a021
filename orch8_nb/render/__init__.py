"""Static renderings (HTML and text) of sequences, the shared state palette, and the views
every live surface shares: the inspector's payload (``inspection``) and the actions of the
tree's controls (``controls``), used alike by the notebook widgets and the web dashboard."""

from orch8_nb.render.icons import BLOCK_ICONS, BLOCK_LABELS, block_icon
from orch8_nb.render.instance import instance_html, instance_text
from orch8_nb.render.sequence_html import sequence_html
from orch8_nb.render.sequence_text import sequence_text
from orch8_nb.render.states import (
    STATE_PALETTE,
    StateStyle,
    node_state_badge,
    state_badge,
    state_style,
)

__all__ = [
    "BLOCK_ICONS",
    "BLOCK_LABELS",
    "STATE_PALETTE",
    "StateStyle",
    "block_icon",
    "instance_html",
    "instance_text",
    "node_state_badge",
    "sequence_html",
    "sequence_text",
    "state_badge",
    "state_style",
]
