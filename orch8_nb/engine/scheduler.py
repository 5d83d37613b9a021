"""Claims due instances, starts their runners, fires timers, sweeps idle signals.

Work is event-driven: creating an instance, a signal or a worker result wakes the loop at
once; the periodic tick only catches timers and work from other processes.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable

from orch8_nb.engine.compiled import CompiledSequence
from orch8_nb.engine.idle_signals import IDLE_STATES, process_idle_signals
from orch8_nb.engine.run import Run
from orch8_nb.engine.runner import Runner
from orch8_nb.engine.services import Services
from orch8_nb.storage.rows import InstanceBundle, InstanceRow

log = logging.getLogger("orch8_nb.scheduler")

SequenceLoader = Callable[[InstanceRow], Awaitable[CompiledSequence]]


class Scheduler:
    def __init__(
        self,
        services: Services,
        load_sequence: SequenceLoader,
        *,
        tick_interval_ms: int = 100,
        batch_size: int = 200,
        max_concurrent: int = 128,
    ) -> None:
        self.s = services
        self.load_sequence = load_sequence
        self.tick_interval_ms = tick_interval_ms
        self.batch_size = batch_size
        self.max_concurrent = max_concurrent
        self.runners: dict[str, Runner] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._tick_lock = asyncio.Lock()
        self._due_hint = True  # something may be due now: skip the cheap pre-check
        self._stopping = False
        self._deferred_signals: set[str] = set()
        self._last_sweep = 0
        self._sweep_hint = True

    # -- waking ----------------------------------------------------------------------------------

    def wake(self, due_at: int | None = None) -> None:
        if due_at is None or due_at <= self.s.clock.now_ms():
            self._due_hint = True
        self._wake.set()

    # -- one tick --------------------------------------------------------------------------------

    async def tick(self, *, force_sweep: bool = False) -> int:
        """Claim and start what is due, sweep idle signals.

        Returns how many instances it moved: started, plus resumed or cancelled by signals.

        The signal sweep (paused and waiting instances) runs when this engine queued a
        signal, and otherwise at most once per tick interval to notice other processes.
        """
        async with self._tick_lock:  # the loop and manual ticks never interleave
            moved = await self._claim()
            now = self.s.clock.now_ms()
            if force_sweep or self._sweep_hint or now - self._last_sweep >= self.tick_interval_ms:
                self._sweep_hint = False
                self._last_sweep = now
                moved += await self._sweep_signals()
            return moved

    async def _claim(self) -> int:
        free = self.max_concurrent - len(self.runners)
        if free <= 0:
            return 0
        now = self.s.clock.now_ms()
        if not self._due_hint:
            head = await self.s.storage.next_fire_at()
            if head is None or head > now:
                return 0
        self._due_hint = False
        bundles = await self.s.storage.claim_due(now, min(self.batch_size, free), self.s.node_id)
        if len(bundles) == min(self.batch_size, free):
            self._due_hint = True  # there may be more
        for bundle in bundles:
            await self._spawn(bundle)
        return len(bundles)

    async def _spawn(self, bundle: InstanceBundle) -> None:
        seq = await self.load_sequence(bundle.instance)
        runner = Runner(self.s, Run.from_bundle(bundle, seq, self.s.clock))
        iid = bundle.instance.id
        self.runners[iid] = runner
        task = asyncio.get_running_loop().create_task(runner.drive(), name=f"orch8:{iid}")
        self.tasks[iid] = task
        task.add_done_callback(functools.partial(self._runner_done, iid))

    def _runner_done(self, iid: str, task: asyncio.Task[None]) -> None:
        was_full = len(self.runners) >= self.max_concurrent
        runner = self.runners.pop(iid, None)
        if runner is not None and runner.signals_waiting:
            # A signal arrived after the runner's last look (e.g. a child's result while
            # the parent was parking): the sweep must pick the instance up.
            self._sweep_hint = True
            self._wake.set()
        self.tasks.pop(iid, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("runner of instance %s crashed", iid, exc_info=task.exception())
        if was_full:
            self._due_hint = True  # claims were skipped for lack of capacity
            self._wake.set()

    @property
    def busy(self) -> bool:
        """Work may be under way: a tick (the background loop's), a runner, or signals
        known to wait for the next sweep."""
        return self._sweep_hint or self._tick_lock.locked() or bool(self.tasks)

    def has_capacity(self) -> bool:
        return len(self.runners) < self.max_concurrent

    async def start_local(self, bundle: InstanceBundle) -> None:
        """Run an instance this engine just created as ``running`` (no claim round trip)."""
        await self._spawn(bundle)

    async def _sweep_signals(self) -> int:
        moved = 0
        ids = await self.s.storage.signalled_instances(IDLE_STATES, 100)
        for iid in ids:
            if iid in self.runners:
                continue
            bundle = await self.s.storage.load_bundle(iid)
            if bundle is None:
                continue
            pending = {sig.id for sig in bundle.signals}
            if pending <= self._deferred_signals:
                continue  # only signals that must wait (pause while waiting, human input)
            seq = await self.load_sequence(bundle.instance)
            if await process_idle_signals(self.s, bundle, seq) is not None:
                moved += 1
            after = await self.s.storage.get_signals(iid, pending_only=True)
            self._deferred_signals |= {sig.id for sig in after if not sig.delivered}
        return moved

    def notify_signal(self, instance_id: str, kind: str = "") -> None:
        runner = self.runners.get(instance_id)
        if runner is not None:
            runner.notify_signal(kind)
        else:
            self._sweep_hint = True
        self._wake.set()

    # -- the loop --------------------------------------------------------------------------------

    async def run_forever(self) -> None:
        while not self._stopping:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            if self._due_hint and len(self.runners) < self.max_concurrent:
                continue
            await self._sleep()

    async def _sleep(self) -> None:
        self._wake.clear()
        if self.s.clock.virtual:
            # Virtual time only moves by advance(), which wakes us (see AsyncEngine.start).
            await self._wake.wait()
            return
        waiter = asyncio.ensure_future(self._wake.wait())
        timer = asyncio.ensure_future(self.s.clock.sleep(self.tick_interval_ms))
        try:
            await asyncio.wait({waiter, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            timer.cancel()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def drain(self, timeout_ms: float) -> None:
        """Let runners finish their current work for up to ``timeout_ms``, then abandon."""
        tasks = list(self.tasks.values())
        if tasks:
            _, still = await asyncio.wait(tasks, timeout=timeout_ms / 1000)
            for t in still:
                t.cancel()
            if still:
                await asyncio.wait(still)
