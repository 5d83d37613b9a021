"""Running one ready step: params, cache, worker hand-off, the handler call, its outcome.

The handler runs outside the evaluator; its result comes back as an :class:`Outcome` that
:func:`apply_outcome` folds into the run (output row, node state, retry marker, KV writes,
audit row) so the runner commits it all in one transaction.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import jsonschema

from orch8_nb.engine.budgets import USAGE_KEY, spent
from orch8_nb.engine.clock import Clock, perf_counter
from orch8_nb.engine.evaluator import Ready
from orch8_nb.engine.events import Event
from orch8_nb.engine.handlers import InstanceState, StepContext
from orch8_nb.engine.handlers import StepError as HandlerError
from orch8_nb.engine.handlers.outcomes import AwaitApproval, RetryStep
from orch8_nb.engine.handlers.progress import Emit, StepProgress
from orch8_nb.engine.handlers.registry import Handler
from orch8_nb.engine.retry import backoff_ms, should_retry
from orch8_nb.engine.run import Run, StepError, encode_json, fail_node
from orch8_nb.engine.scope import scope_for
from orch8_nb.engine.services import Services
from orch8_nb.errors import ExpressionError
from orch8_nb.expr import has_template, render_template, resolve_templates
from orch8_nb.model import RETRY_REF
from orch8_nb.model.execution import APPROVAL_ANSWER, APPROVAL_REQUEST
from orch8_nb.storage.rows import WorkerTaskRow

CACHE_PREFIX = "_cache:"


@dataclass(slots=True)
class Outcome:
    ok: bool
    value: Any = None
    error: StepError | None = None
    started_at: int = 0
    duration_ms: float = 0.0
    kv: tuple[dict[str, Any], list[str]] = ({}, [])
    retry_delay_ms: int | None = None
    from_cache: bool = False
    #: The handler asked a person first (:class:`AwaitApproval`): the request, as JSON.
    approval: dict[str, Any] | None = None
    #: Durable progress and audit rows of the call (see ``handlers/progress.py``).
    progress: StepProgress | None = None


def filtered_context(run: Run, block: Any) -> dict[str, Any]:
    """The instance context as ``context_access`` lets this step see it."""
    inst = run.inst
    access = block.context_access
    if access is None:
        return {"data": inst.context_data, "config": inst.context_config}
    out: dict[str, Any] = {}
    data_rule = access.data
    if data_rule is True or data_rule == "all":
        out["data"] = inst.context_data
    elif isinstance(data_rule, Mapping) or hasattr(data_rule, "fields"):
        fields = data_rule["fields"] if isinstance(data_rule, Mapping) else data_rule.fields
        out["data"] = {k: inst.context_data[k] for k in fields if k in inst.context_data}
    else:
        out["data"] = {}
    if access.config:
        out["config"] = inst.context_config
    if access.audit:
        out["audit"] = inst.context_audit
    if access.runtime:
        out["runtime"] = inst.context_runtime
    return out


def resolve_params(run: Run, block: Any) -> Any:
    params = block.params
    if params is None or not has_template(params):
        return params
    return resolve_templates(params, scope_for(run), strict=True)


def cache_key(run: Run, block: Any) -> str | None:
    if block.cache_key is None:
        return None
    key = render_template(block.cache_key, scope_for(run), strict=True)
    text = key if isinstance(key, str) else json.dumps(key, sort_keys=True)
    return CACHE_PREFIX + text


def worker_task(run: Run, ready: Ready, params: Any) -> WorkerTaskRow:
    block = ready.block
    timeout = None if block.timeout is None else int(block.timeout)
    return WorkerTaskRow(
        run.new_id(), run.inst.id, run.inst.tenant_id, block.id, block.handler, block.queue_name,
        params, filtered_context(run, block), ready.attempt, timeout, "pending", run.now(),
    )  # fmt: skip


async def invoke(
    handler: Handler,
    ctx: StepContext,
    timeout_ms: int | None,
    clock: Clock,
    pool: Executor,
) -> Outcome:
    """Call the handler (sync ones in the pool) under the attempt timeout.

    A sync call counts as active (see :func:`active_sync_handlers`) from here until its
    result is back on the loop and its timeout timer is gone, so virtual time cannot skip
    to that timer in the moment between the thread finishing and this coroutine resuming.
    """
    started = perf_counter()
    counted = not handler.is_async
    if counted:
        _count(1)
    try:
        outcome = await _invoke(handler, ctx, timeout_ms, clock, pool, started)
    finally:
        if counted:
            _count(-1)
    outcome.progress = ctx.progress
    return outcome


async def _invoke(
    handler: Handler,
    ctx: StepContext,
    timeout_ms: int | None,
    clock: Clock,
    pool: Executor,
    started: float,
) -> Outcome:
    try:
        if timeout_ms is not None:
            value = await _with_timeout(_call(handler, ctx, pool), timeout_ms, clock)
        elif handler.is_async:
            value = await handler.fn(ctx)
        else:
            value = await _call(handler, ctx, pool)
    except asyncio.CancelledError:
        raise
    except AwaitApproval as request:
        return Outcome(
            False,
            duration_ms=(perf_counter() - started) * 1000,
            kv=ctx.state.changes,
            approval=request.to_json(),
        )
    except _Timeout:
        return Outcome(
            False,
            error=StepError(f"step timed out after {timeout_ms} ms", True, kind="timeout"),
            duration_ms=(perf_counter() - started) * 1000,
        )
    except HandlerError as exc:
        return Outcome(
            False,
            error=StepError(
                exc.message or type(exc).__name__, exc.retryable, exc.details, exc.code
            ),
            duration_ms=(perf_counter() - started) * 1000,
            retry_delay_ms=exc.delay_ms if isinstance(exc, RetryStep) else None,
        )
    except Exception as exc:
        return Outcome(
            False,
            error=StepError(
                f"{type(exc).__name__}: {exc}", True, {"exception": type(exc).__name__}
            ),
            duration_ms=(perf_counter() - started) * 1000,
        )
    return Outcome(True, value, duration_ms=(perf_counter() - started) * 1000, kv=ctx.state.changes)


def _call(handler: Handler, ctx: StepContext, pool: Executor) -> asyncio.Future[Any]:
    if handler.is_async:
        return asyncio.ensure_future(handler.fn(ctx))
    return asyncio.get_running_loop().run_in_executor(pool, handler.fn, ctx)


_sync_running = 0
_sync_lock = threading.Lock()


def _count(delta: int) -> None:
    global _sync_running
    with _sync_lock:
        _sync_running += delta


def active_sync_handlers() -> int:
    """Sync handler calls in progress in this process (virtual time must not skip)."""
    return _sync_running


class _Timeout(Exception):
    pass


async def _with_timeout(call: asyncio.Future[Any], timeout_ms: int, clock: Clock) -> Any:
    timer = asyncio.ensure_future(clock.sleep(timeout_ms))
    try:
        done, _ = await asyncio.wait({call, timer}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        call.cancel()
        timer.cancel()
        raise
    if call in done:
        timer.cancel()
        return call.result()
    call.cancel()  # a sync handler keeps running in its thread; its result is ignored
    raise _Timeout


def step_context(s: Services, run: Run, ready: Ready, params: Any) -> StepContext:
    block = ready.block
    meta = run.inst.metadata
    approval = meta.get(APPROVAL_ANSWER + block.id)
    return StepContext(
        instance_id=run.inst.id,
        tenant_id=run.inst.tenant_id,
        block_id=block.id,
        handler=block.handler,
        params=params,
        context=filtered_context(run, block),
        attempt=ready.attempt,
        idempotency_key=f"{run.inst.id}:{block.id}:{ready.attempt}",
        state=InstanceState(run.kv),
        clock=run.clock,
        scope_factory=lambda: scope_for(run),
        progress=StepProgress(s.storage, run.clock, run.inst.id, run.inst.tenant_id, block.id),
        emit=_emitter(s, run.inst.id, block.id, ready.node.id),
        approval=approval if isinstance(approval, dict) else None,
        budget=run.inst.budget or None,
        usage=dict(meta.get(USAGE_KEY) or {}),
        extensions=s.extensions,
    )


def _emitter(s: Services, instance_id: str, block_id: str, node_id: str) -> Emit:
    """Live events for one step, published on the engine loop whichever thread calls."""
    loop = asyncio.get_running_loop()

    def emit(kind: str, data: dict[str, Any]) -> None:
        if not s.bus.active:
            return
        event = Event(kind, instance_id, {"block_id": block_id, "node_id": node_id, **data})
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            s.bus.publish(event)
        elif not loop.is_closed():
            loop.call_soon_threadsafe(s.bus.publish, event)

    return emit


def apply_outcome(run: Run, ready: Ready, outcome: Outcome, cache: str | None) -> None:
    """Fold a finished attempt into the run: output or retry marker or failure (or a
    wait for a person's approval)."""
    block, node = ready.block, ready.node
    progress = outcome.progress
    if progress is not None:
        run.pending.audit.extend(progress.pending_audit)
        progress.pending_audit = []
    if APPROVAL_ANSWER + block.id in run.inst.metadata:
        del run.inst.metadata[APPROVAL_ANSWER + block.id]  # the handler has seen it
        run.mark_metadata()
    if outcome.approval is not None:
        request_approval(run, ready, outcome)
        return
    if outcome.ok:
        encoded, error = _check_output(block, outcome.value)
        if error is None:
            _succeed(run, ready, outcome, cache, encoded)
            return
        outcome = Outcome(False, error=error, duration_ms=outcome.duration_ms)
    err = outcome.error
    assert err is not None
    if should_retry(run, block, ready.attempt, err):
        delay = outcome.retry_delay_ms
        if delay is None:
            delay = backoff_ms(block.retry, ready.attempt)
        retry_at = run.now() + max(int(delay), 0)
        run.add_output(
            block.id,
            {"_retry_marker": True, "error": err.to_json(), "retry_at": retry_at},
            attempt=ready.attempt,
            ref=RETRY_REF,
        )
        _audit_attempt(run, ready, outcome, "retrying", {"retry_at": retry_at})
        return
    _drop_progress(run, outcome)
    fail_node(run, node, err, attempt=ready.attempt)
    _audit_attempt(run, ready, outcome, "failed", {})


def _drop_progress(run: Run, outcome: Outcome) -> None:
    """The step is over: its saved progress goes, in the same commit."""
    if outcome.progress is not None and outcome.progress.saved:
        run.delete_kv(outcome.progress.key)


def request_approval(run: Run, ready: Ready, outcome: Outcome) -> None:
    """Park the step on a human-input gate its handler asked for."""
    assert outcome.approval is not None
    to_set, to_delete = outcome.kv
    for key in to_delete:
        run.delete_kv(key)
    for key, value in to_set.items():
        run.set_kv(key, value)
    request = {**outcome.approval, "attempt": ready.attempt, "requested_at": run.now()}
    run.set_metadata(APPROVAL_REQUEST + ready.block.id, request)
    _audit_attempt(run, ready, outcome, "awaiting_approval", {"approval": outcome.approval})
    run.set_node(ready.node, "waiting")


def _succeed(run: Run, ready: Ready, outcome: Outcome, cache: str | None, encoded: str) -> None:
    block = ready.block
    to_set, to_delete = outcome.kv
    for key in to_delete:
        run.delete_kv(key)
    for key, value in to_set.items():
        run.set_kv(key, value)
    _drop_progress(run, outcome)
    if cache is not None and not outcome.from_cache:
        run.set_kv(cache, outcome.value)
    run.add_output(block.id, outcome.value, attempt=ready.attempt, encoded=encoded)
    steps = run.inst.context_runtime.get("total_steps_executed", 0)
    run.touch_runtime(total_steps_executed=(steps if isinstance(steps, int) else 0) + 1)
    _audit_attempt(run, ready, outcome, "cached" if outcome.from_cache else "completed", {})
    run.set_node(ready.node, "completed")


def _check_output(block: Any, value: Any) -> tuple[str, StepError | None]:
    """The output encoded as JSON, or the reason it cannot be stored."""
    try:
        encoded = encode_json(value)
    except (TypeError, ValueError) as exc:
        message = f"handler returned a value that is not JSON: {exc}"
        return "", StepError(message, False, kind="output")
    if block.output_schema is not None:
        try:
            jsonschema.validate(value, block.output_schema)
        except jsonschema.ValidationError as exc:
            path = "".join(f"[{p!r}]" for p in exc.absolute_path)
            message = f"output does not match output_schema at output{path}: {exc.message}"
            return encoded, StepError(message, False, kind="output_schema")
    return encoded, None


def _audit_attempt(
    run: Run, ready: Ready, outcome: Outcome, result: str, extra: dict[str, Any]
) -> None:
    details: dict[str, Any] = {
        "handler": ready.block.handler,
        "attempt": ready.attempt,
        "outcome": result,
        "started_at": outcome.started_at,
        "duration_ms": round(outcome.duration_ms, 3),
        **extra,
    }
    if ready.params is not None:
        details["params"] = redacted(ready.params)
    usage = spent(outcome.value) if outcome.ok else None
    if usage:
        details["usage"] = usage
    if outcome.error is not None:
        details["error"] = outcome.error.to_json()
    run.audit("step_attempt", details, block_id=ready.block.id)


#: Param names whose values never reach the audit log (compared case-insensitively).
SECRET_PARAMS = frozenset({"api_key", "apikey", "authorization", "x-api-key", "password",
                           "secret", "access_token", "client_secret"})  # fmt: skip


def redacted(value: Any) -> Any:
    """``value`` with every secret-looking param replaced by ``"***"``, at any depth."""
    if isinstance(value, Mapping):
        return {k: "***" if str(k).lower() in SECRET_PARAMS else redacted(v)
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


def template_failure(exc: ExpressionError, what: str) -> Outcome:
    return Outcome(False, error=StepError(f"{what}: {exc}", False, kind="template"))
