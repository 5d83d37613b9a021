"""The engine's own event loop in a daemon thread.

A cell that blocks (``inst.wait()``, ``time.sleep``, heavy pandas) must not stop running
instances, and sync calls from cells simply wait on a future from this loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class EngineStopped(RuntimeError):
    """The engine was shut down: nothing more can be asked of it (live widgets that still
    follow one of its instances stop quietly on this)."""


class LoopThread:
    def __init__(self, name: str = "orch8-engine") -> None:
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._main, name=name, daemon=True)
        self.thread.start()
        self._ready.wait()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        try:
            self.loop.run_forever()
        finally:
            # Like asyncio.run: cancel what is left and let it unwind before closing.
            pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    @property
    def in_loop_thread(self) -> bool:
        return threading.current_thread() is self.thread

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the engine loop and wait for its result from another thread."""
        if self.in_loop_thread:
            coro.close()
            raise RuntimeError(
                "a blocking engine call was made from the engine's own thread (inside an async "
                "handler?); use the AsyncEngine methods with await there"
            )
        if self.loop.is_closed() or not self.loop.is_running():
            coro.close()
            raise EngineStopped("the engine has been shut down")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def submit(self, coro: Coroutine[Any, Any, T]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        if not self.in_loop_thread:
            self.thread.join(timeout=10)
