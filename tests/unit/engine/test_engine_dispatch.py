"""A sync handler call holds virtual time still until its result is back on the loop.

Regression: the count used to drop inside the handler's thread, so a loaded machine could
skip virtual time to the call's timeout timer in the moment between the thread finishing
and the engine loop taking the result (a retry then looked past its deadline).
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

from orch8_nb.engine import dispatch
from orch8_nb.engine.clock import VirtualClock


def call(fn: Any, pool: ThreadPoolExecutor, timeout_ms: int | None = 60_000) -> Any:
    handler: Any = SimpleNamespace(fn=fn, is_async=False)
    ctx: Any = SimpleNamespace(state=SimpleNamespace(changes={}), progress=None)
    return asyncio.ensure_future(dispatch.invoke(handler, ctx, timeout_ms, VirtualClock(), pool))


def test_the_call_counts_until_the_loop_has_its_result() -> None:
    returned = threading.Event()

    def handler(_: Any) -> int:
        returned.set()
        return 7

    async def scenario() -> None:
        with ThreadPoolExecutor(1) as pool:
            task = call(handler, pool)
            await asyncio.sleep(0)  # the call starts
            assert dispatch.active_sync_handlers() == 1
            returned.wait(5)
            threading.Event().wait(0.05)  # the thread is done; this loop has not resumed
            assert dispatch.active_sync_handlers() == 1
            outcome = await task
            assert outcome.ok and outcome.value == 7

    asyncio.run(scenario())
    assert dispatch.active_sync_handlers() == 0


def test_a_call_queued_behind_a_busy_pool_counts_and_a_cancel_releases_it() -> None:
    release = threading.Event()
    ran: list[str] = []

    async def scenario() -> None:
        with ThreadPoolExecutor(1) as pool:
            first = call(lambda _: release.wait(5), pool, timeout_ms=None)
            queued = call(lambda _: ran.append("queued"), pool)
            dropped = call(lambda _: ran.append("dropped"), pool)
            await asyncio.sleep(0)
            assert dispatch.active_sync_handlers() == 3  # one running, two waiting
            dropped.cancel()
            await asyncio.gather(dropped, return_exceptions=True)
            assert dispatch.active_sync_handlers() == 2
            release.set()
            await asyncio.gather(first, queued)

    asyncio.run(scenario())
    assert ran == ["queued"] and dispatch.active_sync_handlers() == 0
