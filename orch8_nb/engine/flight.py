"""Handler calls: preparing one for a ready step, the ones a runner has started, and the
error for a lost lease."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from orch8_nb.engine.breakers import through_breaker
from orch8_nb.engine.deadlines import deadline_of
from orch8_nb.engine.dispatch import (
    Outcome,
    apply_outcome,
    cache_key,
    resolve_params,
    step_context,
    template_failure,
)
from orch8_nb.engine.evaluator import Ready
from orch8_nb.engine.events import Event
from orch8_nb.engine.handlers import StepContext
from orch8_nb.engine.handlers.registry import Handler
from orch8_nb.engine.run import Run
from orch8_nb.engine.services import Services
from orch8_nb.engine.workers import dispatch_to_worker
from orch8_nb.errors import ExpressionError


class LeaseLost(Exception):
    """A commit lost its compare-and-swap: someone else changed the instance."""


@dataclass(slots=True)
class Call:
    ready: Ready
    handler: Handler
    ctx: StepContext
    timeout: int | None
    cache: str | None
    started: int


@dataclass(slots=True)
class InFlight:
    ready: Ready
    task: asyncio.Task[Outcome]
    cache: str | None
    started: int
    handler: Handler


def prepare(s: Services, run: Run, r: Ready) -> Call | None:
    """The call that runs a ready step here, or ``None`` when the step resolved without
    one: its params did not render, its ``cache_key`` hit, it went to an external worker,
    or an open circuit breaker holds it back."""
    block = r.block
    run.touch_runtime(current_step=block.id, current_step_started_at=run.now(), attempt=r.attempt)
    try:
        params = r.params = resolve_params(run, block)
        cache = cache_key(run, block)
    except ExpressionError as exc:
        apply_outcome(run, r, template_failure(exc, "params"), None)
        return None
    if cache is not None and cache in run.kv:
        hit = Outcome(True, run.kv[cache], started_at=run.now(), from_cache=True)
        apply_outcome(run, r, hit, cache)
        return None
    handler = s.registry.get(block.handler)
    if handler is None:
        dispatch_to_worker(run, r, params)
        return None
    handler = through_breaker(s.breakers, s.registry, run, r, handler)
    if handler is None:
        return None
    timeout = None if block.timeout is None else int(block.timeout)
    due = deadline_of(r.node, block)
    if due is not None:  # the deadline cuts the call short
        timeout = (
            max(due - run.now(), 1) if timeout is None else min(timeout, max(due - run.now(), 1))
        )
    if s.bus.active:  # live views show the step running before anything commits
        s.bus.publish(Event("step_started", run.inst.id, {"block_id": block.id,
                                                          "attempt": r.attempt}))  # fmt: skip
    return Call(r, handler, step_context(s, run, r, params), timeout, cache, run.now())
