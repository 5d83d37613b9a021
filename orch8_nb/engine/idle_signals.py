"""Signals for instances nobody is running: ``paused`` and ``waiting`` ones.

Those are never claimed, so the scheduler sweeps them: ``resume`` reschedules a paused
instance, ``cancel`` cancels either, ``update_context`` merges, custom signals are recorded.
A ``pause`` for a waiting instance stays pending until the instance runs again.
"""

from __future__ import annotations

from orch8_nb.engine.compiled import CompiledSequence
from orch8_nb.engine.evaluator import cancel_open_nodes
from orch8_nb.engine.run import Run
from orch8_nb.engine.services import Services
from orch8_nb.engine.signals import HUMAN_INPUT_PREFIX, deliver, merge_context
from orch8_nb.storage.rows import InstanceBundle


async def process_idle_signals(
    s: Services, bundle: InstanceBundle, seq: CompiledSequence
) -> str | None:
    """Apply what applies; returns the new state if it changed."""
    run = Run.from_bundle(bundle, seq, s.clock)
    state = run.inst.state
    if state not in ("paused", "waiting"):
        return None
    new_state: str | None = None
    for sig in list(run.signals):
        kind = sig.signal_type
        if kind.startswith(HUMAN_INPUT_PREFIX) or kind == "pause":
            continue
        deliver(run, sig)
        if kind == "cancel":
            cancel_open_nodes(run)
            run.pending.tasks_delete_pending = True
            run.transition("cancelled", reason="signal")
            run.schedule(None)
            new_state = "cancelled"
            break
        if kind == "resume" and state == "paused":
            run.transition("scheduled", reason="resume")
            run.schedule(run.now())
            new_state = "scheduled"
            break
        if kind == "update_context":
            merge_context(run, sig)
    if not run.dirty:
        return None
    result = await s.storage.commit(run.take_changeset())
    if not result.ok:
        return None  # it moved on meanwhile; the next sweep looks again
    if new_state == "cancelled":
        s.on_terminal(run.inst.id, "cancelled")
    elif new_state == "scheduled":
        s.on_reschedule(run.now())
    return new_state
