"""Signals for instances nobody is running: paused, waiting, or sleeping on a timer.

Those are not claimed, so the scheduler sweeps them: ``resume`` reschedules a paused
instance, ``cancel`` cancels (after any non-cancellable step still out with a worker has
finished), ``pause`` pauses one waiting on a timer, ``update_context`` merges, custom
signals are recorded. A ``pause`` for a waiting instance stays pending until the instance
runs again; a ``resume`` after it cancels it out.
"""

from __future__ import annotations

from orch8_nb.engine.compiled import CompiledSequence
from orch8_nb.engine.evaluator import cancel_open_nodes
from orch8_nb.engine.run import Run
from orch8_nb.engine.services import Services
from orch8_nb.engine.signals import HUMAN_INPUT_PREFIX, deliver, merge_context
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
    new_state = _apply(run)
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
                return _wake_for_gate(run)  # the gate itself consumes the answer
            continue
        if kind == "pause" and state != "scheduled":
            held_pause = held_pause or sig  # applies when the instance runs again
            continue
        if kind == "resume" and held_pause is not None:
            deliver(run, held_pause)  # pause then resume: nothing left to do
            deliver(run, sig)
            held_pause = None
            continue
        if kind == "cancel" and _blocking_nodes(run):
            continue  # non-cancellable work is out: cancel once it has finished
        deliver(run, sig)
        moved = _act(run, sig)
        if moved is not None:
            return moved
    return None


def _answers_a_gate(run: Run, block_id: str) -> bool:
    node = run.tree.by_block.get(block_id)
    return node is not None and node.state == "waiting"


def _wake_for_gate(run: Run) -> str:
    if run.inst.state == "waiting":
        run.transition("scheduled", reason="human input")
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


def _blocking_nodes(run: Run) -> bool:
    """True while a dispatched, non-cancellable step is still out (e.g. with a worker)."""
    return any(
        node.state == "waiting"
        and node.block_type == "step"
        and run.seq.block(node.block_id).cancellable is False
        for node in run.tree.nodes.values()
    )
