"""Futures waiting for instances to finish, woken when this engine finishes them.

Cells register from their own threads (``concurrent.futures``), async code from the
engine loop (``asyncio`` futures); the table is shared, so a lock guards it.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future

AnyFuture = Future[str] | asyncio.Future[str]


class Waiters:
    def __init__(self) -> None:
        self._by_instance: dict[str, list[AnyFuture]] = {}
        self._lock = threading.Lock()

    def add(self, instance_id: str, fut: AnyFuture) -> None:
        with self._lock:
            self._by_instance.setdefault(instance_id, []).append(fut)

    def forget(self, instance_id: str, fut: AnyFuture) -> None:
        """Drop a waiter that gave up (timeout, already finished)."""
        with self._lock:
            waiting = self._by_instance.get(instance_id)
            if waiting is not None and fut in waiting:
                waiting.remove(fut)
                if not waiting:
                    del self._by_instance[instance_id]

    def finish(self, instance_id: str, state: str) -> None:
        """Wake everyone waiting for ``instance_id`` with its terminal state."""
        with self._lock:
            waiting = self._by_instance.pop(instance_id, [])
        for fut in waiting:
            if not fut.done():
                fut.set_result(state)

    def cancel_all(self) -> None:
        with self._lock:
            waiting = [f for futures in self._by_instance.values() for f in futures]
            self._by_instance.clear()
        for fut in waiting:
            if not fut.done():
                fut.cancel()
