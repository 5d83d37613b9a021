"""Python builders for sequences: ``sequence("name", step("a", "handler"), ...)``.

Each builder returns a validated model, so a mistake raises ``SequenceValidationError`` at
the line that made it (paths relative to that block, e.g. ``retry.max_attempts``). Rules
that span the tree (unique ids, depth, size) are checked by :func:`sequence`, with full
paths such as ``blocks[2].branches[0][1].id``. Durations take ms, ``timedelta`` or text
like ``"1.5s"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, TypeAlias, TypeVar

from pydantic import BaseModel

from orch8_nb.model.blocks import (
    ABSplitDef,
    Block,
    CancellationScopeDef,
    DelaySpec,
    ForEachDef,
    HumanChoice,
    HumanInputDef,
    LoopDef,
    ParallelDef,
    RaceDef,
    RaceSemantics,
    RetryPolicy,
    Route,
    RouterDef,
    SagaDef,
    SagaStep,
    StepDef,
    SubSequenceDef,
    TryCatchDef,
    Variant,
)
from orch8_nb.model.sequence import SequenceDefinition

Duration: TypeAlias = int | float | str | timedelta
BlockLike: TypeAlias = Block | Mapping[str, Any]
"""A block model, or its JSON form as a mapping."""
Blocks: TypeAlias = BlockLike | Sequence[BlockLike]
"""One block or a list of blocks (wherever the format wants a list)."""

_M = TypeVar("_M", bound=BaseModel)


def _as_list(blocks: Blocks) -> list[BlockLike]:
    if isinstance(blocks, BaseModel | Mapping):
        return [blocks]
    return list(blocks)


def _build(model: type[_M], **fields: Any) -> _M:
    # None means "not given", so the model's own default (and omission in JSON) applies.
    return model(**{k: v for k, v in fields.items() if v is not None})


def step(id: str, handler: str, **fields: Any) -> StepDef:
    """A step calling ``handler``; ``fields`` are any StepDef fields (``retry=retry(3)``...).

    ``delay`` also takes a bare duration (``delay="1h"``) for ``{"duration": ...}``.
    """
    delay = fields.get("delay")
    if delay is not None and not isinstance(delay, Mapping | DelaySpec):
        fields["delay"] = {"duration": delay}
    return _build(StepDef, id=id, handler=handler, **fields)


def parallel(id: str, *branches: Blocks) -> ParallelDef:
    """Branches run concurrently; each argument is one branch (a block or a list)."""
    return _build(ParallelDef, id=id, branches=[_as_list(b) for b in branches])


def race(
    id: str, *branches: Blocks, semantics: RaceSemantics | str = RaceSemantics.FIRST_TO_RESOLVE
) -> RaceDef:
    """First branch to finish wins (``first_to_succeed``: first to succeed)."""
    return _build(RaceDef, id=id, branches=[_as_list(b) for b in branches], semantics=semantics)


def loop(id: str, condition: str, body: Blocks, **fields: Any) -> LoopDef:
    """While ``condition`` holds, run ``body``; ``fields``: max_iterations, break_on, ..."""
    return _build(LoopDef, id=id, condition=condition, body=_as_list(body), **fields)


def for_each(id: str, collection: str, body: Blocks, **fields: Any) -> ForEachDef:
    """Run ``body`` per item of ``collection``; ``fields``: item_var, max_iterations, ..."""
    return _build(ForEachDef, id=id, collection=collection, body=_as_list(body), **fields)


def route(condition: str, *blocks: BlockLike) -> Route:
    """A router arm: ``blocks`` run when ``condition`` is the first truthy one."""
    return _build(Route, condition=condition, blocks=list(blocks))


def router(id: str, routes: Iterable[Route], default: Blocks | None = None) -> RouterDef:
    """First matching route wins; ``default`` runs when none matches."""
    default_list = None if default is None else _as_list(default)
    return _build(RouterDef, id=id, routes=list(routes), default=default_list)


def try_catch(id: str, try_: Blocks, catch: Blocks, finally_: Blocks | None = None) -> TryCatchDef:
    """``catch`` runs if ``try_`` fails (``[]`` swallows the error); ``finally_`` always."""
    return _build(
        TryCatchDef,
        id=id,
        try_block=_as_list(try_),
        catch_block=_as_list(catch),
        finally_block=None if finally_ is None else _as_list(finally_),
    )


def sub_sequence(
    id: str, name: str, input: Any = None, version: int | None = None
) -> SubSequenceDef:
    """Run sequence ``name`` (latest version unless ``version``) as a child instance."""
    return _build(SubSequenceDef, id=id, sequence_name=name, input=input, version=version)


def variant(name: str, weight: int, *blocks: BlockLike) -> Variant:
    """An A/B arm with a relative ``weight``."""
    return _build(Variant, name=name, weight=weight, blocks=list(blocks))


def ab_split(id: str, *variants: Variant) -> ABSplitDef:
    """Pick one variant per instance, deterministically by weight."""
    return _build(ABSplitDef, id=id, variants=list(variants))


def cancellation_scope(id: str, *blocks: BlockLike) -> CancellationScopeDef:
    """Children run in order; an external cancel waits until they finish."""
    return _build(CancellationScopeDef, id=id, blocks=list(blocks))


def saga_step(id: str, action: BlockLike, compensation: BlockLike | None = None) -> SagaStep:
    """A saga step: ``action`` and the block that undoes it."""
    return _build(SagaStep, id=id, action=action, compensation=compensation)


def saga(id: str, *steps: SagaStep) -> SagaDef:
    """Actions in order; on failure, completed steps are compensated in reverse."""
    return _build(SagaDef, id=id, steps=list(steps))


def retry(
    max_attempts: int,
    initial_backoff: Duration = "1s",
    max_backoff: Duration = "1m",
    multiplier: float = 2.0,
    *,
    retry_if: str | None = None,
    non_retryable_codes: Iterable[str] = (),
) -> RetryPolicy:
    """A retry policy; ``max_attempts`` counts the first attempt."""
    return _build(
        RetryPolicy,
        max_attempts=max_attempts,
        initial_backoff=initial_backoff,
        max_backoff=max_backoff,
        backoff_multiplier=multiplier,
        retry_if=retry_if,
        non_retryable_codes=list(non_retryable_codes),
    )


def human_input(
    prompt: str = "",
    *,
    choices: Iterable[str | tuple[str, str] | Mapping[str, str]] | None = None,
    timeout: Duration | None = None,
    store_as: str | None = None,
    escalation_handler: str | None = None,
    allow_comment: bool = False,
) -> HumanInputDef:
    """A human gate for ``step(..., wait_for_input=human_input("Ship it?"))``.

    A choice is a value (its own label), a ``(label, value)`` pair or a mapping.
    """
    return _build(
        HumanInputDef,
        prompt=prompt,
        choices=None if choices is None else [_choice(c) for c in choices],
        timeout=timeout,
        store_as=store_as,
        escalation_handler=escalation_handler,
        allow_comment=allow_comment,
    )


def _choice(choice: str | tuple[str, str] | Mapping[str, str]) -> HumanChoice | Mapping[str, str]:
    if isinstance(choice, str):
        return HumanChoice(label=choice, value=choice)
    if isinstance(choice, tuple):
        label, value = choice
        return HumanChoice(label=label, value=value)
    return choice


def sequence(name: str, *blocks: BlockLike, **fields: Any) -> SequenceDefinition:
    """A whole sequence; ``fields`` are SequenceDefinition fields (version, input_schema...)."""
    return _build(SequenceDefinition, name=name, blocks=list(blocks), **fields)


__all__ = [
    "ab_split",
    "cancellation_scope",
    "for_each",
    "human_input",
    "loop",
    "parallel",
    "race",
    "retry",
    "route",
    "router",
    "saga",
    "saga_step",
    "sequence",
    "step",
    "sub_sequence",
    "try_catch",
    "variant",
]
