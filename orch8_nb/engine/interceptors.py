"""Interceptors: a sequence's lifecycle hooks, which really call their handler; and the
sequence's ``on_failure`` / ``on_cancel`` cleanup steps and steps' deadline escalations,
which are called the same way.

``before_step`` and ``after_step`` run around every step's handler call, ``on_signal``
when a signal is applied, ``on_complete`` and ``on_failure`` as the instance ends. The
hook's handler gets the hook's ``params`` (templates resolved) plus ``_hook`` (which hook,
the step or signal it is about, and for ``after_step`` the step's result); its output is
kept as an output row of the block ``_interceptor:<hook>:<step>`` (Orch8's trace ids),
with an ``interceptor`` audit row. Hooks observe; a hook that fails is recorded (its error
as the row) and the run goes on.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.dispatch import invoke
from orch8_nb.engine.handlers import InstanceState, StepContext
from orch8_nb.engine.run import Run
from orch8_nb.engine.scope import scope_for
from orch8_nb.engine.services import Services
from orch8_nb.errors import ExpressionError
from orch8_nb.expr import has_template, resolve_templates

#: Longest a hook may run (ms); a hook must not hold up the instance.
HOOK_TIMEOUT_MS = 30_000
_TRACE_ID = {"before_step": "before", "after_step": "after"}


def hook_of(run: Run, kind: str) -> Any:
    """The sequence's interceptor for ``kind``, if it has one."""
    hooks = run.seq.definition.interceptors
    return None if hooks is None else getattr(hooks, kind, None)


async def intercept(
    s: Services, run: Run, kind: str, about: dict[str, Any], *, target: str | None = None
) -> None:
    """Call the ``kind`` hook (if the sequence has one) and keep its result."""
    hook = hook_of(run, kind)
    if hook is None:
        return
    block_id = f"_interceptor:{_TRACE_ID.get(kind, kind)}" + (f":{target}" if target else "")
    await call_hook(s, run, hook, kind, about, block_id)


async def clean_up(s: Services, run: Run, outcome: str, about: dict[str, Any]) -> None:
    """Run the sequence's ``on_failure`` or ``on_cancel`` steps once each, best effort
    (errors are recorded and swallowed), as the instance ends ``outcome``."""
    name = {"failed": "on_failure", "cancelled": "on_cancel"}.get(outcome)
    if name is None:
        return
    for step in getattr(run.seq.definition, name):
        await call_hook(s, run, step, name, about, f"_{name}:{step.id}")


async def at_end(s: Services, run: Run, outcome: str, details: dict[str, Any]) -> None:
    """The ``on_complete`` / ``on_failure`` hook, then the cleanup steps, as a run ends."""
    about = {"state": outcome, **details}
    if outcome in ("completed", "failed"):
        await intercept(s, run, "on_complete" if outcome == "completed" else "on_failure", about)
    await clean_up(s, run, outcome, about)


async def before_steps(s: Services, run: Run, ready: list[Any]) -> None:
    """``before_step`` for each step about to be dispatched."""
    for r in ready if hook_of(run, "before_step") else ():
        about = {"block_id": r.block.id, "attempt": r.attempt}
        await intercept(s, run, "before_step", about, target=r.block.id)


async def escalate(s: Services, run: Run) -> None:
    """Call the ``on_deadline_breach`` handlers of steps whose deadline just passed."""
    pending = run.inst.metadata.get("_escalate")
    if not pending:
        return
    run.set_metadata("_escalate", [])
    for item in pending:
        block = run.seq.block(item["block_id"])
        about = {"block_id": block.id, **{k: v for k, v in item.items() if k != "block_id"}}
        hook = block.on_deadline_breach
        await call_hook(s, run, hook, "on_deadline_breach", about, f"_deadline:{block.id}")


async def call_hook(
    s: Services, run: Run, hook: Any, kind: str, about: dict[str, Any], block_id: str
) -> None:
    """Call ``hook`` (``{handler, params}``) and keep its output as the row ``block_id``."""
    params: Any = hook.params
    try:
        if params is not None and has_template(params):
            params = resolve_templates(params, scope_for(run), strict=True)
    except ExpressionError as exc:
        _keep(run, block_id, kind, hook.handler, None, f"params: {exc}")
        return
    body = {**params, "_hook": {"kind": kind, **about}} if isinstance(params, dict) else {
        "params": params, "_hook": {"kind": kind, **about}}  # fmt: skip
    fn = s.registry.get(hook.handler)
    if fn is None:
        _keep(run, block_id, kind, hook.handler, None, "handler is not registered")
        return
    ctx = StepContext(
        instance_id=run.inst.id, tenant_id=run.inst.tenant_id, block_id=block_id,
        handler=hook.handler, params=body, context={}, attempt=0,
        idempotency_key=f"{run.inst.id}:{block_id}:{run.now()}", state=InstanceState({}),
        clock=run.clock,
    )  # fmt: skip
    outcome = await invoke(fn, ctx, HOOK_TIMEOUT_MS, s.clock, s.pool)
    error = None if outcome.ok or outcome.error is None else outcome.error.message
    _keep(run, block_id, kind, hook.handler, outcome.value if outcome.ok else None, error)


async def after_step_hook(s: Services, run: Run, ready: Any, outcome: Any) -> None:
    """``after_step`` with the step's result."""
    if hook_of(run, "after_step") is None:
        return
    error = None if outcome.error is None else outcome.error.to_json()
    about = {"block_id": ready.block.id, "attempt": ready.attempt, "ok": outcome.ok,
             "output": outcome.value if outcome.ok else None, "error": error}  # fmt: skip
    await intercept(s, run, "after_step", about, target=ready.block.id)


async def signal_hooks(s: Services, run: Run, signals: list[Any]) -> None:
    """``on_signal`` for each of ``signals`` that was just delivered."""
    if hook_of(run, "on_signal") is None:
        return
    delivered = set(run.pending.signals_delivered)
    for sig in signals:
        if sig.id in delivered:
            about = {"signal_id": sig.id, "signal_type": sig.signal_type, "payload": sig.payload}
            await intercept(s, run, "on_signal", about)


def _keep(run: Run, block_id: str, kind: str, handler: str, value: Any, error: str | None) -> None:
    row = value if error is None else {"error": error}
    run.add_output(block_id, row, attempt=0)
    run.audit("interceptor", {"hook": kind, "handler": handler, "ok": error is None,
                              **({"error": error} if error else {})})  # fmt: skip
