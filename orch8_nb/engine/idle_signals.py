"""Signals for instances nobody is running: paused, waiting, or sleeping on a timer.

Those are not claimed, so the scheduler sweeps them: ``resume`` reschedules a paused
instance, ``cancel`` cancels (once protected work has drained: a
non-cancellable step out with a worker, a running ``cancellation_scope``, a begun
``finally``), ``pause`` pauses one waiting on a timer, ``update_context`` merges, custom
signals are recorded; a human-input answer or a child's result wakes the instance. A
``pause`` for a waiting instance stays pending until the instance runs again; a ``resume``
after it cancels it out.
"""

from __future__ import annotations

from orch8_nb.engine.cancelling import protected_work_left
from orch8_nb.engine.children import notify_others, report_to_parent
from orch8_nb.engine.compiled import CompiledSequence
from orch8_nb.engine.evaluator import cancel_open_nodes
from orch8_nb.engine.events import publish_changeset
from orch8_nb.engine.injection import apply_injection_signals
from orch8_nb.engine.interceptors import clean_up, signal_hooks
from orch8_nb.engine.run import Run
from orch8_nb.engine.services import Services
from orch8_nb.engine.signals import (
    CHILD_FINISHED,
    HUMAN_INPUT_PREFIX,
    NOT_AWAITED,
    awaited,
    deliver,
    merge_context,
)
from orch8_nb.engine.workers import WORKER_RESULT
from orch8_nb.storage.rows import InstanceBundle, SignalRow


async def process_idle_signals(
    s: Services, bundle: InstanceBundle, seq: CompiledSequence
) -> str | None:
    """Apply what applies to an instance nobody runs; returns the new state if it changed.

    ``scheduled`` here means waiting on a timer (a delay, a backoff): cancel, pause and
    context updates take effect now rather than when the timer fires.
    """
    run = Run.from_bundle(bundle, seq, s.clock)
    if run.inst.state not in IDLE_STATES:
        return None
    apply_injection_signals(run)
    new_state = _apply(run)
    await signal_hooks(s, run, list(bundle.signals))
    if not run.dirty:
        return None
    if new_state == "cancelled":
        await clean_up(s, run, "cancelled", {"state": "cancelled"})
        await report_to_parent(s, run, "cancelled")
    cs = run.take_changeset()
    result = await s.storage.commit(cs)
    if not result.ok:
        return None  # it moved on meanwhile; the next sweep looks again
    notify_others(s, cs)
    publish_changeset(s.bus, run.inst.id, cs)  # live trees and event streams see it too
    if new_state == "cancelled":
        s.on_terminal(run.inst.id, "cancelled")
    elif new_state == "scheduled":
        s.on_reschedule(run.now())
    return new_state


#: States of instances no engine holds, whose signals the scheduler sweeps.
IDLE_STATES = ("paused", "waiting", "scheduled")


def _apply(run: Run) -> str | None:
    """Walk the pending signals in order; stop at the first state change."""
    state = run.inst.state
    held_pause: SignalRow | None = None  # a pause that cannot apply yet (waiting instance)
    for sig in list(run.signals):
        kind = sig.signal_type
        if kind.startswith(HUMAN_INPUT_PREFIX):
            if state != "paused" and _answers_a_gate(run, kind[len(HUMAN_INPUT_PREFIX) :]):
                return _wake(run, "human input")  # the gate itself consumes the answer
            continue
        if kind == WORKER_RESULT:
            if state != "paused":
                return _wake(run, "worker_result")  # the runner applies the stored result
            continue
        if kind == CHILD_FINISHED:
            if not awaited(run, sig.payload):
                deliver(run, sig, ignored=NOT_AWAITED)
            elif state != "paused":
                return _wake(run, "child finished")  # the waiting node takes the result
            continue
        if kind == "pause" and state != "scheduled":
            held_pause = held_pause or sig  # applies when the instance runs again
            continue
        if kind == "resume" and held_pause is not None:
            deliver(run, held_pause)  # pause then resume: nothing left to do
            deliver(run, sig)
            held_pause = None
            continue
        if kind == "cancel" and protected_work_left(run):
            continue  # protected work is under way: the cancel applies once it drained
        deliver(run, sig)
        moved = _act(run, sig)
        if moved is not None:
            return moved
    return None


def _answers_a_gate(run: Run, block_id: str) -> bool:
    node = run.tree.by_block.get(block_id)
    return node is not None and node.state == "waiting"


def _wake(run: Run, reason: str) -> str:
    if run.inst.state == "waiting":
        run.transition("scheduled", reason=reason)
    run.schedule(run.now())
    return "scheduled"


def _act(run: Run, sig: SignalRow) -> str | None:
    kind = sig.signal_type
    if kind == "cancel":
        cancel_open_nodes(run)
        run.pending.tasks_delete_pending = True
        run.transition("cancelled", reason="signal")
        run.schedule(None)
        return "cancelled"
    if kind == "pause":  # a timer-waiting instance pauses now
        run.transition("paused", reason="signal")
        run.schedule(None)
        return "paused"
    if kind == "resume" and run.inst.state == "paused":
        run.transition("scheduled", reason="resume")
        run.schedule(run.now())
        return "scheduled"
    if kind == "update_context":
        merge_context(run, sig)
    return None
