"""Drives one claimed instance until it finishes, waits, sleeps or is paused. Event-driven:
after a step's result commits, the next step starts at once in the same task, from memory;
the instance goes back to the scheduler only for timers, external work (workers, people,
children) or a terminal state."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from orch8_nb.engine import interceptors as hooks
from orch8_nb.engine.breakers import record_call
from orch8_nb.engine.budgets import count, pause_if_over_budget
from orch8_nb.engine.cancelling import CANCEL_MARKER, protected, protected_work_left
from orch8_nb.engine.children import notify_others, report_to_parent, start_children
from orch8_nb.engine.deadlines import apply_or_breach
from orch8_nb.engine.dispatch import (
    Outcome,
    invoke,
)
from orch8_nb.engine.evaluator import (
    Evaluation,
    Ready,
    cancel_open_nodes,
    evaluate,
)
from orch8_nb.engine.events import publish_changeset
from orch8_nb.engine.flight import Call as _Call
from orch8_nb.engine.flight import InFlight as _InFlight
from orch8_nb.engine.flight import LeaseLost, prepare
from orch8_nb.engine.injection import apply_injection_signals, self_modify
from orch8_nb.engine.ratelimits import take_units
from orch8_nb.engine.run import Run, failure_of
from orch8_nb.engine.services import Services
from orch8_nb.engine.signals import apply_signals, consume, new_signals
from orch8_nb.engine.tree import TERMINAL_NODE_STATES
from orch8_nb.engine.workers import locally_handled_waits, take_stored_results

log = logging.getLogger("orch8_nb.runner")

#: How often a running instance looks for signals queued by other processes.
SIGNAL_CHECK_MS = 100


class Runner:
    def __init__(self, services: Services, run: Run) -> None:
        self.s = services
        self.run = run
        self.in_flight: dict[str, _InFlight] = {}
        self.signals_waiting = bool(run.signals)
        # A cancel deferred by protected work survives a restart through this marker.
        self.cancel_requested = bool(run.inst.metadata.get(CANCEL_MARKER))
        self._wakeup: asyncio.Future[None] | None = None
        self._inline: _Call | None = None
        self._interrupted = False
        self._task: asyncio.Task[None] | None = None
        self._signals_checked_at = run.now()  # the claim just loaded the inbox
        self._background: set[asyncio.Task[None]] = set()
        self._watch: asyncio.TimerHandle | None = None

    # -- notifications from the engine -----------------------------------------------------------

    def notify_signal(self, kind: str = "") -> None:
        """A signal for this instance was enqueued: look at it at the next chance (a
        ``cancel`` interrupts a cancellable handler running inline at once)."""
        self.signals_waiting = True
        self._poke()
        inline = self._inline
        if (
            kind == "cancel"
            and inline is not None
            and self._task is not None
            and not protected(self.run, inline.ready.node)
        ):
            self._interrupted = True
            self._task.cancel()

    def _poke(self, _: object = None) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    def abandon(self) -> None:
        """Stop without committing (shutdown past its drain deadline, lost lease)."""
        for f in self.in_flight.values():
            f.task.cancel()
        for task in self._background:
            task.cancel()

    # -- the loop --------------------------------------------------------------------------------

    async def drive(self) -> None:
        self._task = asyncio.current_task()
        try:
            await self._drive()
        except LeaseLost as exc:
            log.warning("instance %s: %s; leaving it to its new owner", self.run.inst.id, exc)
            self.abandon()
        except asyncio.CancelledError:
            self.abandon()
            raise
        except Exception as exc:
            # A bug or an unexpected input must not leave the instance "running" forever.
            log.exception("instance %s: engine error", self.run.inst.id)
            self.abandon()
            await self._fail_on_engine_error(exc)

    async def _fail_on_engine_error(self, exc: Exception) -> None:
        run = self.run
        run.take_changeset()  # drop the half-built decision
        cancel_open_nodes(run)
        error = {"kind": "engine", "message": f"{type(exc).__name__}: {exc}", "retryable": False}
        run.set_metadata("_error", error)
        try:
            await self._end("failed", error=error)
        except Exception:
            log.exception("instance %s: could not record the engine error", run.inst.id)

    async def _drive(self) -> None:
        run = self.run
        run.stamp_run_start()
        while True:
            if self.signals_waiting:
                await self._refresh_signals()
            if consume(run) and await self._apply_signals():
                return  # paused
            if self.cancel_requested and self._cancel_now():
                await self._finish("cancelled")
                return
            ev = evaluate(run, set(self.in_flight))
            self._drop_closed()
            await hooks.escalate(self.s, run)
            if ev.outcome is not None:
                await self._finish(ev.outcome)
                return
            stop = self._stop_reason(ev)
            if stop is not None:
                await (self._finish("cancelled") if stop == "cancelled" else self._commit())
                return
            if ev.spawn:
                await start_children(self.s, run, ev.spawn)
                await self._commit()  # the children exist once the parent waits for them
                continue
            if ev.ready:
                if self._has_results():
                    await self._commit()
                    if self.signals_waiting:
                        continue  # the commit found signals: apply them before the next step
                resolved, inline = await self._launch(ev.ready)
                if inline is not None:
                    await self._run_inline(inline)
                    continue
                if resolved:
                    continue  # something resolved without running a handler
            if self.in_flight:
                if self._has_results():
                    await self._commit()  # acknowledge finished work before waiting on more
                await self._wait_for_results()
                continue
            await self._park(ev)
            return

    async def _apply_signals(self) -> bool:
        """Apply pending signals; True if the instance paused (the runner stops)."""
        run = self.run
        await take_stored_results(self.s, run)
        apply_injection_signals(run)
        pending = consume(run)
        effect = apply_signals(run, pending)
        await hooks.signal_hooks(self.s, run, pending)
        if effect.pause:
            await self._settle_in_flight()
            run.transition("paused", reason="signal")
            run.release_lease()
            await self._commit()
            return True
        if effect.cancel:
            self.cancel_requested = True
            run.set_metadata(CANCEL_MARKER, True)
        return False

    def _has_results(self) -> bool:
        p = self.run.pending
        return bool(
            p.outputs or p.audit or p.kv_set or p.kv_delete or p.tasks_insert
            or p.signals_delivered or "state" in p.instance
        )  # fmt: skip

    def _start(self, ready: list[Ready]) -> tuple[bool, _Call | None]:
        """Start handlers. Returns whether some step resolved without running a handler,
        and the call to run inline when it is the only work (saves a task per step)."""
        resolved = False
        calls: list[_Call] = []
        for r in ready:
            call = prepare(self.s, self.run, r)
            if call is None:
                resolved = True  # done without a handler here: template error, cache hit, ...
            else:
                calls.append(call)
        if len(calls) == 1 and not resolved and not self.in_flight:
            return False, calls[0]
        for call in calls:
            task = asyncio.ensure_future(
                invoke(call.handler, call.ctx, call.timeout, self.s.clock, self.s.pool)
            )
            task.add_done_callback(self._poke)
            self.in_flight[call.ready.node.id] = _InFlight(
                call.ready, task, call.cache, call.started, call.handler
            )
        return resolved, None

    async def _run_inline(self, call: _Call) -> None:
        """Await the only running handler directly; a cancel signal interrupts it."""
        self._inline = call
        self._arm_watch()
        try:
            outcome = await invoke(call.handler, call.ctx, call.timeout, self.s.clock, self.s.pool)
        except asyncio.CancelledError:
            if not self._interrupted:
                raise
            self._interrupted = False
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            return  # the step is dropped; the pending cancel is applied next
        finally:
            self._inline = None
            if self._watch is not None:
                self._watch.cancel()
                self._watch = None
        outcome.started_at = call.started
        await self._settle(call.ready, call.handler, outcome, call.cache)

    def _arm_watch(self) -> None:
        """While a handler runs, look for signals queued by other processes every
        ``SIGNAL_CHECK_MS`` of real time (in-process signals arrive by notify_signal)."""
        loop = asyncio.get_running_loop()

        def check() -> None:
            task = loop.create_task(self._check_inbox())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

        self._watch = loop.call_later(SIGNAL_CHECK_MS / 1000, check)

    async def _check_inbox(self) -> None:
        for row in await new_signals(self.s.storage, self.run):
            self.notify_signal(row.signal_type)
        if self._inline is not None:
            self._arm_watch()

    async def _wait_for_results(self) -> None:
        finished = [f for f in self.in_flight.values() if f.task.done()]
        if not finished and not self.signals_waiting:
            # Woken by a handler finishing (done callback) or by a signal.
            self._wakeup = asyncio.get_running_loop().create_future()
            await self._wakeup
            self._wakeup = None
        finished = [f for f in self.in_flight.values() if f.task.done()]
        for f in finished:
            del self.in_flight[f.ready.node.id]
            if f.task.cancelled():
                continue
            outcome = f.task.result()
            outcome.started_at = f.started
            await self._settle(f.ready, f.handler, outcome, f.cache)

    async def _settle(
        self, ready: Ready, handler: Any, outcome: Outcome, cache: str | None
    ) -> None:
        outcome = self_modify(self.run, outcome)
        if handler is self.s.registry.get(ready.block.handler):  # not a fallback
            kind = outcome.error.kind if outcome.error is not None else None
            record_call(self.s.breakers, self.run, ready, outcome.ok, kind)
        count(self.run, ready.block.handler, outcome.value)
        apply_or_breach(self.run, ready, outcome, cache)
        await hooks.after_step_hook(self.s, self.run, ready, outcome)

    async def _launch(self, ready: list[Ready]) -> tuple[bool, _Call | None]:
        """Rate limits, ``before_step`` hooks, then :meth:`_start`; steps a rate limit holds
        back count as resolved (the next evaluation puts them to sleep)."""
        granted = await take_units(self.s, self.run, ready)
        await hooks.before_steps(self.s, self.run, granted)
        resolved, inline = self._start(granted)
        return resolved or len(granted) < len(ready), inline

    def _stop_reason(self, ev: Evaluation) -> str | None:
        """``cancelled`` once a requested cancel applies, ``paused`` when the budget is spent
        (the pause is then pending), else None (and only protected work goes on while a
        cancel drains)."""
        if self.cancel_requested and self._cancel_or_drain(ev):
            return "cancelled"
        if ev.ready and not self.in_flight and pause_if_over_budget(self.run):
            return "paused"
        return None

    def _cancel_or_drain(self, ev: Evaluation) -> bool:
        """True if the requested cancel applies now; otherwise only protected work goes on."""
        if self._cancel_now():
            return True
        ev.ready = [r for r in ev.ready if protected(self.run, r.node)]
        ev.spawn = [r for r in ev.spawn if protected(self.run, r.node)]
        return False

    def _cancel_now(self) -> bool:
        """Interrupt what a cancel may interrupt; True once no protected work is left."""
        for f in list(self.in_flight.values()):
            if not protected(self.run, f.ready.node):
                f.task.cancel()
                del self.in_flight[f.ready.node.id]
        return not protected_work_left(self.run)

    def _drop_closed(self) -> None:
        """Stop handlers whose node a composite closed (race losers, failed branches)."""
        for node_id, f in list(self.in_flight.items()):
            if f.ready.node.state in TERMINAL_NODE_STATES:
                f.task.cancel()
                del self.in_flight[node_id]

    async def _settle_in_flight(self) -> None:
        while self.in_flight:
            await self._wait_for_results()

    async def _finish(self, outcome: str) -> None:
        run = self.run
        self.abandon()
        self.in_flight.clear()
        cancel_open_nodes(run)
        details: dict[str, Any] = {}
        failure = failure_of(run) if outcome == "failed" else None
        if failure is not None:
            block_id, err = failure
            details = {"block_id": block_id, "error": err}
            run.set_metadata("_error", {"block_id": block_id, **err})
        if outcome == "cancelled":
            run.pending.tasks_delete_pending = True
        await hooks.at_end(self.s, run, outcome, details)
        await self._end(outcome, **details)

    async def _end(self, outcome: str, **details: Any) -> None:
        """Commit the terminal state (and the result for a parent), then wake waiters."""
        run = self.run
        run.transition(outcome, **details)
        run.schedule(None)
        run.release_lease()
        await report_to_parent(self.s, run, outcome)
        await self._commit()
        self.s.on_terminal(run.inst.id, outcome)

    async def _park(self, ev: Evaluation) -> None:
        run = self.run
        if ev.waiting and ev.wake_at is not None:
            # Whatever it waits for (a person, a child, a worker) reaches it as a signal
            # even while it sleeps, so a timer elsewhere in the tree keeps its time.
            run.transition("scheduled", reason="timer")
            run.schedule(ev.wake_at)
        elif ev.waiting or ev.wake_at is None:
            run.transition("waiting")
            run.schedule(None)
        else:
            run.transition("scheduled", reason="timer")
            run.schedule(ev.wake_at)
        run.release_lease()
        await self._commit()
        if run.inst.state == "scheduled":
            self.s.on_reschedule(ev.wake_at)
        local = locally_handled_waits(run, self.s.registry)
        if local:
            self.s.on_waiting_local(local)

    async def _refresh_signals(self) -> None:
        self.signals_waiting = False
        self.run.signals += await new_signals(self.s.storage, self.run)

    async def _commit(self) -> None:
        run = self.run
        cs = run.take_changeset()
        now = cs.now
        # Signals sent through this engine arrive by notify_signal(); the inbox is read
        # for signals from other processes at most every SIGNAL_CHECK_MS per instance.
        cs.check_signals = now - self._signals_checked_at >= SIGNAL_CHECK_MS
        if cs.check_signals:
            self._signals_checked_at = now
        result = await self.s.storage.commit(cs)
        if not result.ok:
            raise LeaseLost(result.reason)
        run.committed(result.rev)
        if result.pending_signals:
            self.signals_waiting = True
        notify_others(self.s, cs)
        publish_changeset(self.s.bus, run.inst.id, cs)
