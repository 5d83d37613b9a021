"""What a block shows, independent of output format: headline, badges and child lanes.

The HTML and text renderings both read these summaries, so they never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from orch8_nb.model.block_type import BlockType
from orch8_nb.model.blocks import (
    ABSplitDef,
    Block,
    CancellationScopeDef,
    ForEachDef,
    LoopDef,
    ParallelDef,
    RaceDef,
    RouterDef,
    SagaDef,
    StepDef,
    SubSequenceDef,
    TryCatchDef,
)
from orch8_nb.model.durations import format_duration_ms


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a headline; ``code`` pieces are expressions or names."""

    text: str
    code: bool = False


@dataclass(frozen=True, slots=True)
class Badge:
    """A small tag on a card; ``title`` is the full text shown on hover."""

    text: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Lane:
    """One child list drawn as a column; ``label`` may hold code parts."""

    label: tuple[Part, ...]
    blocks: Sequence[Block]
    empty_note: str = "empty"


@dataclass(frozen=True, slots=True)
class Section:
    """Lanes drawn side by side, optionally under a label (one saga step)."""

    label: str
    lanes: tuple[Lane, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """Everything a rendering needs to draw one block (children come from ``sections``)."""

    block_type: BlockType
    id: str
    headline: tuple[Part, ...]
    badges: tuple[Badge, ...]
    sections: tuple[Section, ...]


def _plural(count: int, noun: str, nouns: str = "") -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {nouns or noun + 's'}"


def _short_json(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(block: Block) -> Summary:
    """The summary of one block."""
    kind = BlockType(block.type)
    if isinstance(block, StepDef):
        return Summary(kind, block.id, (Part(block.handler, code=True),), step_badges(block), ())
    headline, badges, sections = _COMPOSITES[kind](block)
    return Summary(kind, block.id, headline, badges, sections)


def step_badges(step: StepDef) -> tuple[Badge, ...]:
    """Badges of a step card, in a fixed order."""
    badges: list[Badge] = []
    if step.retry is not None:
        r = step.retry
        badges.append(
            Badge(
                f"↻ {r.max_attempts}x",
                f"retry: {r.max_attempts} attempts, backoff {format_duration_ms(r.initial_backoff)}"
                f" → {format_duration_ms(r.max_backoff)}, multiplier {r.backoff_multiplier:g}",
            )
        )
    if step.timeout is not None:
        badges.append(Badge(f"timeout {format_duration_ms(step.timeout)}"))
    if step.when is not None:
        badges.append(Badge(f"when {step.when}", f"runs only when: {step.when}"))
    if step.cache_key is not None:
        badges.append(Badge("cache", f"cache key: {step.cache_key}"))
    if step.wait_for_input is not None:
        gate = step.wait_for_input
        choices = ", ".join(c.label for c in gate.effective_choices)
        badges.append(Badge("☝ human input", f"{gate.prompt or 'human input'} ({choices})"))
    if step.queue_name is not None:
        badges.append(Badge(f"queue {step.queue_name}"))
    badges.extend(_more_step_badges(step))
    return tuple(badges)


def _more_step_badges(step: StepDef) -> list[Badge]:
    badges: list[Badge] = []
    if step.delay is not None:
        badges.append(Badge(f"delay {format_duration_ms(step.delay.duration)}"))
    if step.deadline is not None:
        badges.append(Badge(f"deadline {format_duration_ms(step.deadline)}"))
    if step.rate_limit_key is not None:
        badges.append(Badge(f"rate limit {step.rate_limit_key}"))
    if step.send_window is not None:
        w = step.send_window
        badges.append(Badge(f"window {w.start_hour}-{w.end_hour}h"))
    if not step.cancellable:
        badges.append(Badge("not cancellable"))
    if step.compensation is not None:
        badges.append(Badge("compensable", f"compensation: {step.compensation.handler}"))
    return badges


_Parts = tuple[tuple[Part, ...], tuple[Badge, ...], tuple[Section, ...]]


def _parallel(block: ParallelDef | RaceDef) -> _Parts:
    lanes = tuple(Lane((Part(f"branch {i}"),), b) for i, b in enumerate(block.branches, 1))
    head = [Part(_plural(len(lanes), "branch", "branches"))]
    if isinstance(block, RaceDef):
        head.insert(0, Part(block.semantics.value.replace("_", " ") + " · "))
    return tuple(head), (), (Section("", lanes),)


def _loop(block: LoopDef) -> _Parts:
    head = (Part("while "), Part(block.condition, True), Part(f" · max {block.max_iterations}"))
    badges: list[Badge] = []
    if block.break_on is not None:
        badges.append(Badge(f"break on {block.break_on}", f"break on: {block.break_on}"))
    if block.continue_on_error:
        badges.append(Badge("continue on error"))
    if block.poll_interval is not None:
        badges.append(Badge(f"every {format_duration_ms(block.poll_interval * 1000)}"))
    if block.retain_iterations is not None:
        badges.append(Badge(f"keep last {block.retain_iterations}"))
    return head, tuple(badges), (Section("", (Lane((), block.body),)),)


def _for_each(block: ForEachDef) -> _Parts:
    head = (
        Part("for "),
        Part(block.item_var, True),
        Part(" in "),
        Part(block.collection, True),
        Part(f" · max {block.max_iterations}"),
    )
    badges: list[Badge] = []
    if block.max_parallel is not None:
        badges.append(Badge(f"≤{block.max_parallel} at once", "orch8-nb extension"))
    if block.retain_iterations is not None:
        badges.append(Badge(f"keep last {block.retain_iterations}"))
    return head, tuple(badges), (Section("", (Lane((), block.body),)),)


def _router(block: RouterDef) -> _Parts:
    lanes = [Lane((Part("if "), Part(r.condition, True)), r.blocks) for r in block.routes]
    if block.default is not None:
        lanes.append(Lane((Part("default"),), block.default))
    head = _plural(len(block.routes), "route") + (" + default" if block.default is not None else "")
    return (Part(head),), (), (Section("", tuple(lanes)),)


def _try_catch(block: TryCatchDef) -> _Parts:
    lanes = [
        Lane((Part("try"),), block.try_block),
        Lane((Part("catch"),), block.catch_block, "swallows the error"),
    ]
    if block.finally_block is not None:
        lanes.append(Lane((Part("finally"),), block.finally_block))
    return (), (), (Section("", tuple(lanes)),)


def _sub_sequence(block: SubSequenceDef) -> _Parts:
    version = f" v{block.version}" if block.version is not None else " (latest)"
    head = (Part("runs "), Part(block.sequence_name, True), Part(version))
    badges = (Badge("input", _short_json(block.input)),) if block.input is not None else ()
    return head, badges, ()


def _ab_split(block: ABSplitDef) -> _Parts:
    total = sum(v.weight for v in block.variants) or 1
    lanes = tuple(
        Lane((Part(f"{v.name} · {v.weight} ({v.weight * 100 / total:.3g}%)"),), v.blocks)
        for v in block.variants
    )
    return (Part(_plural(len(lanes), "variant")),), (), (Section("", lanes),)


def _scope(block: CancellationScopeDef) -> _Parts:
    return (Part("shielded from cancel"),), (), (Section("", (Lane((), block.blocks),)),)


def _saga(block: SagaDef) -> _Parts:
    sections = tuple(
        Section(
            f"step {s.id}",
            (
                Lane((Part("action"),), (s.action,)),
                Lane((Part("compensation"),), (s.compensation,) if s.compensation else (), "none"),
            ),
        )
        for s in block.steps
    )
    return (Part(_plural(len(sections), "step")),), (), sections


_COMPOSITES: dict[BlockType, Callable[[Any], _Parts]] = {
    BlockType.PARALLEL: _parallel,
    BlockType.RACE: _parallel,
    BlockType.LOOP: _loop,
    BlockType.FOR_EACH: _for_each,
    BlockType.ROUTER: _router,
    BlockType.TRY_CATCH: _try_catch,
    BlockType.SUB_SEQUENCE: _sub_sequence,
    BlockType.AB_SPLIT: _ab_split,
    BlockType.CANCELLATION_SCOPE: _scope,
    BlockType.SAGA: _saga,
}

__all__ = ["Badge", "Lane", "Part", "Section", "Summary", "describe", "step_badges"]
