"""One icon and one label per block type, shared by every rendering surface.

Plain Unicode symbols with broad font coverage (no emoji, whose width and colour vary by
platform), so text and HTML renderings line up everywhere.
"""

from __future__ import annotations

from orch8_nb.model.block_type import BlockType

BLOCK_ICONS: dict[BlockType, str] = {
    BlockType.STEP: "⚙",  # a handler call
    BlockType.PARALLEL: "⇉",  # fan out
    BlockType.RACE: "⚑",  # first to the flag
    BlockType.LOOP: "↻",  # repeat
    BlockType.FOR_EACH: "∀",  # for all items
    BlockType.ROUTER: "◇",  # flowchart decision
    BlockType.TRY_CATCH: "⚠",  # error handling
    BlockType.SUB_SEQUENCE: "⊞",  # another sequence inside
    BlockType.AB_SPLIT: "⚖",  # weighted choice
    BlockType.CANCELLATION_SCOPE: "▣",  # a shielded box
    BlockType.SAGA: "↶",  # undo by compensation
}

BLOCK_LABELS: dict[BlockType, str] = {
    BlockType.STEP: "step",
    BlockType.PARALLEL: "parallel",
    BlockType.RACE: "race",
    BlockType.LOOP: "loop",
    BlockType.FOR_EACH: "for each",
    BlockType.ROUTER: "router",
    BlockType.TRY_CATCH: "try / catch",
    BlockType.SUB_SEQUENCE: "sub-sequence",
    BlockType.AB_SPLIT: "A/B split",
    BlockType.CANCELLATION_SCOPE: "cancellation scope",
    BlockType.SAGA: "saga",
}


def block_icon(block_type: BlockType | str) -> str:
    """The icon of a block type (``?`` for a type this version does not know)."""
    try:
        return BLOCK_ICONS[BlockType(block_type)]
    except ValueError:
        return "?"
