"""A sequence as an indented tree of text, for ``print(seq)`` and plain-text outputs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from orch8_nb.model.block_type import BlockType
from orch8_nb.model.blocks import Block
from orch8_nb.model.sequence import SequenceDefinition
from orch8_nb.render._describe import Lane, Part, describe
from orch8_nb.render.icons import BLOCK_ICONS, BLOCK_LABELS
from orch8_nb.render.states import state_style

_TEE, _ELBOW, _PIPE, _GAP = "├── ", "└── ", "│   ", "    "


@dataclass(slots=True)
class _Node:
    line: str
    children: list[_Node] = field(default_factory=list)


def _text(parts: Iterable[Part]) -> str:
    return "".join(p.text for p in parts)


def _block_node(block: Block, states: Mapping[str, str], details: Mapping[str, str]) -> _Node:
    summary = describe(block)
    line = f"{BLOCK_ICONS[summary.block_type]} {BLOCK_LABELS[summary.block_type]} {summary.id}"
    if summary.id in states:
        look = state_style(states[summary.id])
        detail = details.get(summary.id)
        state = f"{states[summary.id]}: {detail}" if detail else states[summary.id]
        line = f"({look.icon} {state}) {line}"
    if summary.headline:
        separator = " → " if summary.block_type == BlockType.STEP else ": "
        line += separator + _text(summary.headline)
    if summary.badges:
        line += "  [" + ", ".join(b.text for b in summary.badges) + "]"
    node = _Node(line)
    for section in summary.sections:
        lanes = [child for lane in section.lanes for child in _lane_nodes(lane, states, details)]
        if section.label:
            node.children.append(_Node(section.label, lanes))
        else:
            node.children.extend(lanes)
    return node


def _lane_nodes(lane: Lane, states: Mapping[str, str], details: Mapping[str, str]) -> list[_Node]:
    blocks = [_block_node(b, states, details) for b in lane.blocks] or [
        _Node(f"({lane.empty_note})")
    ]
    return [_Node(_text(lane.label), blocks)] if lane.label else blocks


def _print(nodes: Sequence[_Node], prefix: str, out: list[str]) -> None:
    for index, node in enumerate(nodes):
        last = index == len(nodes) - 1
        out.append(prefix + (_ELBOW if last else _TEE) + node.line)
        _print(node.children, prefix + (_GAP if last else _PIPE), out)


def sequence_text(
    seq: SequenceDefinition,
    *,
    states: Mapping[str, str] | None = None,
    details: Mapping[str, str] | None = None,
    title: bool = True,
) -> str:
    """The tree of ``seq`` as text, one block per line with its key settings.

    ``states`` maps block ids of the main tree to node states, shown before each line, and
    ``details`` adds a short note to a state (what a block waits for, an error's first line).
    """
    version = f"v{seq.version}" if seq.version is not None else "unregistered"
    out = [f"sequence {seq.name} ({version}, {seq.status.value})"] if title else []
    _print([_block_node(b, states or {}, details or {}) for b in seq.blocks], "", out)
    for label, blocks in (("on_failure", seq.on_failure), ("on_cancel", seq.on_cancel)):
        if blocks:
            out.append(label)
            _print([_block_node(b, {}, {}) for b in blocks], "", out)
    return "\n".join(out)
