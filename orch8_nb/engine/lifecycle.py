"""Starting and stopping an :class:`~orch8_nb.engine.core.AsyncEngine`: storage, this
process's node row and heartbeat, recovery of orphans, the scheduler loop; and on shutdown
the drain and the hand-back of unfinished instances (a mixin of ``AsyncEngine``)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from orch8_nb.engine import recovery
from orch8_nb.engine.clock import Clock, wall_clock_ms
from orch8_nb.engine.scheduler import Scheduler
from orch8_nb.engine.waiters import Waiters
from orch8_nb.engine.workers import WorkerGateway
from orch8_nb.storage.base import Storage
from orch8_nb.storage.rows import NodeInfo


class Lifecycle:
    storage: Storage
    clock: Clock
    node_id: str
    autostart: bool
    scheduler: Scheduler
    workers: WorkerGateway
    _pool: ThreadPoolExecutor
    _waiters: Waiters
    _loop: asyncio.AbstractEventLoop | None
    _scheduler_task: asyncio.Task[None] | None
    _heartbeat_task: asyncio.Task[None] | None
    _stopping: asyncio.Event | None
    _unlisten: Callable[[], None] | None
    _background: set[asyncio.Task[int]]
    _started: bool
    _closed: bool

    async def start(self) -> None:
        """Open storage, register this engine, recover orphans, start the scheduler."""
        if self._started:
            return
        self._loop = asyncio.get_running_loop()
        await self.storage.open()
        wall = wall_clock_ms()
        recovery.LOCAL_NODES.add(self.node_id)
        await self.storage.register_node(
            NodeInfo(self.node_id, recovery.HOSTNAME, os.getpid(), wall, wall)
        )
        await recovery.recover(self.storage, self.node_id, self.clock.now_ms())
        self._started = True
        self._stopping = asyncio.Event()
        self._heartbeat_task = self._loop.create_task(
            recovery.heartbeat_forever(
                self.storage, self.node_id, self.clock, self._stopping,
                on_released=lambda ids: self.scheduler.wake(),
                also=self.workers.reap,  # silent workers and expired tasks
            )
        )  # fmt: skip
        on_advance = getattr(self.clock, "on_advance", None)
        if on_advance is not None:
            loop = self._loop
            self._unlisten = on_advance(
                lambda now: (
                    loop.call_soon_threadsafe(self.scheduler.wake, now)
                    if not loop.is_closed()
                    else None
                )
            )
        if self.autostart:
            await self.start_scheduler()

    async def start_scheduler(self) -> None:
        """Run the scheduler loop (claims, timers, signals) until shutdown. Idempotent."""
        if self._closed or not self._started:
            raise RuntimeError("the engine is not running")
        if self._scheduler_task is None or self._scheduler_task.done():
            self.autostart = True
            loop = asyncio.get_running_loop()
            self._scheduler_task = loop.create_task(self.scheduler.run_forever())

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Stop claiming, let running steps finish for up to ``timeout`` s, hand back the rest:
        they return to ``scheduled``, and another engine (or the next kernel) runs them."""
        if self._closed:
            return
        self._closed = True
        if self._stopping is not None:
            self._stopping.set()
        self.scheduler.stop()
        if self._heartbeat_task is not None:
            await asyncio.wait({self._heartbeat_task})
        if self._scheduler_task is not None:
            await asyncio.wait({self._scheduler_task}, timeout=timeout)
            if not self._scheduler_task.done():
                self._scheduler_task.cancel()
                await asyncio.wait({self._scheduler_task})
        await self.scheduler.drain(timeout * 1000)
        if self._background:
            await asyncio.wait(self._background, timeout=timeout)
        if self._started:
            now = self.clock.now_ms()
            await self.storage.release_instances(now, "engine shutdown", owners=[self.node_id])
            await self.storage.remove_node(self.node_id)
        recovery.LOCAL_NODES.discard(self.node_id)
        if self._unlisten is not None:
            self._unlisten()
        await self.storage.close()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._waiters.cancel_all()

    @property
    def closed(self) -> bool:
        return self._closed
