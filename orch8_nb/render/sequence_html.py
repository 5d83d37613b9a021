"""Static HTML of a sequence: top to bottom, composites as nested boxes (see UI.md).

Deterministic by construction: no ids, no scripts, no times, so a notebook re-run gives
byte-identical output. Every user string is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

from orch8_nb.model.block_type import BlockType
from orch8_nb.model.blocks import Block
from orch8_nb.model.sequence import SequenceDefinition
from orch8_nb.render._describe import Badge, Lane, Part, Section, Summary, describe
from orch8_nb.render._style import STYLE
from orch8_nb.render.icons import BLOCK_ICONS, BLOCK_LABELS
from orch8_nb.render.states import node_state_badge, state_style


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class _Renderer:
    def __init__(self, states: Mapping[str, str], details: Mapping[str, str]) -> None:
        self.states = states
        self.details = details

    def blocks(self, blocks: Sequence[Block], empty_note: str = "empty") -> str:
        if not blocks:
            return f'<div class="o8nb-empty">{_e(empty_note)}</div>'
        inner = "".join(self.block(b) for b in blocks)
        return f'<div class="o8nb-list">{inner}</div>'

    def block(self, block: Block) -> str:
        summary = describe(block)
        state = self.states.get(summary.id)
        is_step = summary.block_type == BlockType.STEP
        classes = ["o8nb-card" if is_step else "o8nb-box"]
        style = ""
        if state is not None:
            look = state_style(state)
            style = f' style="border:1px {look.border} {look.color}"'
            classes += ["o8nb-faded"] if look.faded else []
            classes += ["o8nb-struck"] if look.struck else []
        parts = [f'<div class="{" ".join(classes)}"{style}>', self.head(summary, state)]
        if is_step and summary.headline:
            parts.append(f"<div>{_parts(summary.headline)}</div>")
        parts.append(_badges(summary.badges))
        parts.extend(self.section(s) for s in summary.sections)
        parts.append("</div>")
        return "".join(parts)

    def head(self, summary: Summary, state: str | None) -> str:
        icon = BLOCK_ICONS[summary.block_type]
        label = BLOCK_LABELS[summary.block_type]
        bits = [
            '<div class="o8nb-head">',
            f'<span class="o8nb-icon" title="{_e(label)}">{icon}</span>',
            f'<span class="o8nb-id" title="{_e(summary.id)}">{_e(summary.id)}</span>',
            f'<span class="o8nb-kind">{_e(label)}</span>',
        ]
        if summary.block_type != BlockType.STEP and summary.headline:
            bits.append(f'<span class="o8nb-muted">{_parts(summary.headline)}</span>')
        if state is not None:
            bits.append(node_state_badge(state, self.details.get(summary.id)))
        bits.append("</div>")
        return "".join(bits)

    def section(self, section: Section) -> str:
        label = (
            f'<div class="o8nb-section-label">{_e(section.label)}</div>' if section.label else ""
        )
        lanes = "".join(self.lane(lane) for lane in section.lanes)
        return f'<div class="o8nb-section">{label}<div class="o8nb-lanes">{lanes}</div></div>'

    def lane(self, lane: Lane) -> str:
        label = f'<div class="o8nb-lane-label">{_parts(lane.label)}</div>' if lane.label else ""
        return f'<div class="o8nb-lane">{label}{self.blocks(lane.blocks, lane.empty_note)}</div>'


def _parts(parts: Iterable[Part]) -> str:
    return "".join(f"<code>{_e(p.text)}</code>" if p.code else _e(p.text) for p in parts)


def _badges(badges: Sequence[Badge]) -> str:
    if not badges:
        return ""
    spans = "".join(
        f'<span class="o8nb-badge" title="{_e(b.title or b.text)}">{_e(b.text)}</span>'
        for b in badges
    )
    return f'<div class="o8nb-badges">{spans}</div>'


def _title(seq: SequenceDefinition) -> str:
    facts = [f"v{seq.version}" if seq.version is not None else "unregistered", seq.status.value]
    if (seq.tenant_id, seq.namespace) != ("default", "default"):
        facts.append(f"{seq.tenant_id}/{seq.namespace}")
    if seq.deprecated:
        facts.append("deprecated")
    count = sum(1 for _ in seq.iter_blocks())
    facts.append(f"{count} block" + ("" if count == 1 else "s"))
    return (
        f'<div class="o8nb-title"><b>{_e(seq.name)}</b> '
        f'<span class="o8nb-muted">{_e(" · ".join(facts))}</span></div>'
    )


def sequence_html(
    seq: SequenceDefinition,
    *,
    states: Mapping[str, str] | None = None,
    details: Mapping[str, str] | None = None,
) -> str:
    """A self-contained HTML fragment drawing ``seq``.

    ``states`` maps block ids of the main tree to node states and ``details`` to the
    text shown beside a state (``"worker: send_email"``, an error's first line), so an
    instance view can reuse this layout; cleanup trees are drawn without states.
    """
    main = _Renderer(states or {}, details or {})
    plain = _Renderer({}, {})
    parts = ['<div class="o8nb o8nb-sequence">', STYLE, _title(seq), main.blocks(seq.blocks)]
    for label, blocks in (("on failure", seq.on_failure), ("on cancel", seq.on_cancel)):
        if blocks:
            parts.append(f'<div class="o8nb-section-label">{label}</div>')
            parts.append(plain.blocks(blocks))
    parts.append("</div>")
    return "".join(parts)
