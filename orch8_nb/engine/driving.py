"""Driving an engine by hand: run what is due, and skip virtual time nobody is using.

This is what makes tests and headless notebooks fast: hours of delays and backoff pass in
milliseconds under a :class:`~orch8_nb.engine.clock.VirtualClock`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from orch8_nb.engine.clock import Clock
from orch8_nb.engine.dispatch import active_sync_handlers
from orch8_nb.engine.scheduler import Scheduler
from orch8_nb.storage.base import Storage


async def run_until_idle(
    tick: Callable[[], Awaitable[int]],
    scheduler: Scheduler,
    storage: Storage,
    clock: Clock,
    max_ticks: int,
) -> int:
    """Tick until nothing is due; with a virtual clock, jump to each next timer too.

    Returns how many instance runs the ticks moved. Instances waiting on a worker or a
    person stay waiting.
    """
    total = 0
    for _ in range(max_ticks):
        scheduler.wake()
        moved = await tick()
        total += moved
        if moved or scheduler.busy:
            continue  # e.g. the background loop is waking an instance right now
        if not clock.virtual:
            return total
        head = await storage.next_fire_at()
        if head is None or head <= clock.now_ms():
            return total  # nothing timed, or due but held back (concurrency limits)
        virtual: Any = clock
        virtual.set(head)
    return total


async def settle(scheduler: Scheduler, clock: Clock) -> None:
    """Wait for running instances to stop; on a virtual clock, skip time they sleep on.

    Time is skipped only when no runner has moved for 50 ms of real time and no sync
    handler is running: an async handler doing real I/O for longer than that under a
    virtual clock may see its (virtual) timeout fire early.
    """
    while scheduler.tasks:
        tasks = list(scheduler.tasks.values())
        if not clock.virtual:
            await asyncio.wait(tasks)
            continue
        done, _ = await asyncio.wait(tasks, timeout=0.05)
        if done or active_sync_handlers() > 0:
            continue
        virtual: Any = clock
        deadline = virtual.next_deadline()
        if deadline is not None:
            virtual.set(max(deadline, virtual.now_ms()))
