"""``step``: the leaf. Decides *whether* and *when* the handler runs, never runs it.

Order before dispatch, as in Orch8: ``when`` guard, durable ``delay`` (computed once by
``engine/delays.py`` and remembered in instance metadata as ``_delay_until:<id>``), the
``send_window`` (``engine/windows.py``), a wait for an open circuit breaker or a spent
rate limit (``_breaker_wait:<id>``, ``_rate_wait:<id>``), retry backoff from the latest
retry marker; then the step is ready with its attempt number. A ``deadline`` (and the
sequence's ``sla``) is checked first, on every pass (``engine/deadlines.py``).
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks.gate import gate_passed
from orch8_nb.engine.blocks.handler_approval import approval_answered, requested
from orch8_nb.engine.breakers import WAIT_PREFIX as BREAKER_WAIT
from orch8_nb.engine.deadlines import breach, check_sla, deadline_of
from orch8_nb.engine.delays import delay_until
from orch8_nb.engine.evaluator import Evaluation, Ready
from orch8_nb.engine.ratelimits import WAIT_PREFIX as RATE_WAIT
from orch8_nb.engine.run import Run, StepError, fail_node
from orch8_nb.engine.scope import scope_for
from orch8_nb.engine.windows import window_opens
from orch8_nb.errors import ExpressionError
from orch8_nb.expr import evaluate, truthy
from orch8_nb.model import RETRY_REF
from orch8_nb.storage.rows import NodeRow

#: Instance-metadata markers that hold a step back until a time.
HOLDS = (BREAKER_WAIT, RATE_WAIT)


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    if node.id in in_flight:
        return
    if _past_deadline(run, node, block, ev):
        return
    if node.state == "waiting" and _parked(run, node, block, ev):
        return
    now = run.now()
    if block.when is not None:
        try:
            go = truthy(evaluate(block.when, scope_for(run), strict=True))
        except ExpressionError as exc:
            error = StepError(f"when: {exc}", False, kind="config")
            run.audit("step_failed", {"error": error.to_json()}, block_id=block.id)
            fail_node(run, node, error)
            ev.changed = True
            return
        if not go:
            run.set_node(node, "skipped")
            run.audit("step_skipped", {"when": block.when}, block_id=block.id)
            ev.changed = True
            return
    if block.wait_for_input is not None and not gate_passed(run, node, block, ev):
        return
    if block.delay is not None:
        key = f"_delay_until:{block.id}"
        until = run.inst.metadata.get(key)
        if not isinstance(until, int):
            holidays = run.inst.context_config.get("holidays", ())
            until = delay_until(
                block.delay,
                now,
                instance_timezone=run.inst.timezone,
                config_holidays=holidays if isinstance(holidays, list) else (),
                random=run.clock.random(),
            )
            run.set_metadata(key, until)
        if now < until:
            ev.wake(until)
            return
    if _held(run, block, now, ev):
        return
    attempt = 0
    last = run.attempts.get(block.id)
    if last is not None and last.output_ref == RETRY_REF:
        retry_at = last.output.get("retry_at", 0) if isinstance(last.output, dict) else 0
        if now < retry_at:
            ev.wake(retry_at)
            return
        attempt = last.attempt + 1
    ev.ready.append(Ready(node, block, attempt))


def _parked(run: Run, node: NodeRow, block: Any, ev: Evaluation) -> bool:
    """A waiting step stays put (True): out with an external worker, or its handler asked
    for an approval nobody has given yet."""
    if requested(run, block.id) is not None:
        return not approval_answered(run, node, block, ev)
    if block.wait_for_input is None:
        ev.waiting = True  # out with an external worker
        return True
    return False


def _held(run: Run, block: Any, now: int, ev: Evaluation) -> bool:
    """Outside its send window, or held by an open circuit breaker or a spent rate limit:
    the step sleeps until then (True)."""
    until = None
    if block.send_window is not None:
        until = window_opens(block.send_window, now, run.inst.timezone)
    for prefix in HOLDS:
        held = run.inst.metadata.get(prefix + block.id)
        if until is None and isinstance(held, int) and now < held:
            until = held
    if until is None:
        return False
    ev.wake(until)
    return True


def _past_deadline(run: Run, node: NodeRow, block: Any, ev: Evaluation) -> bool:
    """Fail the step if its deadline passed (True); else arm timers for it and the SLA."""
    sla_next = check_sla(run, node)
    if sla_next is not None:
        ev.wake(sla_next)
    due = deadline_of(node, block)
    if due is None:
        return False
    if run.now() >= due:
        breach(run, node, block)
        ev.changed = True
        return True
    ev.wake(due)
    return False
