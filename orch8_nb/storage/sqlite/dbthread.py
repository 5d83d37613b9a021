"""One thread that owns the SQLite connection and runs whole transactions.

Why not one await per statement (aiosqlite's public API)? Each hop to a database thread
costs ~150 µs here, and a step commits five or six statements; per-statement awaits would
cap the engine far below its targets. Instead a caller hands over a *unit*: a plain
function that runs all its statements on the connection. The thread also does **group
commit**: units queued while a transaction runs are applied together in the next one,
each inside its own SAVEPOINT so one unit's failure (a lost compare-and-swap, a constraint
violation) rolls back only that unit.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from orch8_nb.errors import StorageError

T = TypeVar("T")
Unit = Callable[[sqlite3.Connection], Any]

#: Most units folded into one transaction; bounds the latency of the first one.
MAX_GROUP = 256


@dataclass(slots=True)
class _Job:
    fn: Unit
    write: bool
    future: Future[Any] | None = None
    loop: asyncio.AbstractEventLoop | None = None
    afuture: asyncio.Future[Any] | None = None
    outcome: tuple[bool, Any] = field(default=(False, None))


_STOP = object()


class DatabaseThread:
    """Runs units of work on a private ``sqlite3`` connection, one transaction each.

    Reads run outside explicit transactions (WAL gives each a consistent snapshot); writes
    run inside ``BEGIN IMMEDIATE`` so a second process on the same file waits instead of
    failing half-way.
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection], name: str) -> None:
        self._connect = connect
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._closed = False
        self.transactions = 0  # committed write transactions (for stats and tests)
        self.units = 0  # write units applied

    def start(self) -> None:
        self._thread.start()
        self._ready.result()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join()

    # -- submission ------------------------------------------------------------------------------

    def run_sync(self, fn: Callable[[sqlite3.Connection], T], *, write: bool = True) -> T:
        """Run ``fn`` on the database thread and wait for it (for non-async callers)."""
        fut: Future[T] = Future()
        self._put(_Job(fn, write, future=fut))
        return fut.result()

    async def run(self, fn: Callable[[sqlite3.Connection], T], *, write: bool = True) -> T:
        """Run ``fn`` on the database thread; one round trip whatever ``fn`` does."""
        loop = asyncio.get_running_loop()
        afut: asyncio.Future[T] = loop.create_future()
        self._put(_Job(fn, write, loop=loop, afuture=afut))
        return await afut

    def _put(self, job: _Job) -> None:
        if self._closed:
            raise StorageError("the storage is closed")
        self._queue.put(job)

    # -- the thread ------------------------------------------------------------------------------

    def _main(self) -> None:
        try:
            conn = self._connect()
        except BaseException as exc:
            self._ready.set_exception(exc)
            return
        self._ready.set_result(None)
        try:
            self._serve(conn)
        finally:
            conn.close()

    def _serve(self, conn: sqlite3.Connection) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch: list[_Job] = [first]
            stop = False
            if first.write:
                while len(batch) < MAX_GROUP:
                    try:
                        nxt = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is _STOP:
                        stop = True
                        break
                    batch.append(nxt)
            writes = [j for j in batch if j.write]
            reads = [j for j in batch if not j.write]
            if writes:
                self._run_writes(conn, writes)
            for job in reads:
                self._run_read(conn, job)
            self._deliver(batch)
            if stop:
                return

    def _run_read(self, conn: sqlite3.Connection, job: _Job) -> None:
        try:
            job.outcome = (True, job.fn(conn))
        except BaseException as exc:
            job.outcome = (False, _wrap(exc))

    def _run_writes(self, conn: sqlite3.Connection, jobs: list[_Job]) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            for job in jobs:
                job.outcome = (False, _wrap(exc))
            return
        single = len(jobs) == 1
        for job in jobs:
            if single:
                try:
                    job.outcome = (True, job.fn(conn))
                except BaseException as exc:
                    job.outcome = (False, _wrap(exc))
                    conn.execute("ROLLBACK")
                    return
                continue
            conn.execute("SAVEPOINT unit")
            try:
                job.outcome = (True, job.fn(conn))
            except BaseException as exc:
                job.outcome = (False, _wrap(exc))
                conn.execute("ROLLBACK TO unit")
            conn.execute("RELEASE unit")
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            for job in jobs:
                job.outcome = (False, _wrap(exc))
            return
        self.transactions += 1
        self.units += len(jobs)

    @staticmethod
    def _deliver(batch: list[_Job]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
        for job in batch:
            if job.future is not None:
                ok, value = job.outcome
                if ok:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(value)
            elif job.loop is not None:
                by_loop.setdefault(job.loop, []).append(job)
        for loop, jobs in by_loop.items():
            # One wake-up per loop for the whole group, not one per unit.
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(_settle, jobs)


def _settle(jobs: list[_Job]) -> None:
    for job in jobs:
        fut = job.afuture
        if fut is None or fut.done():
            continue
        ok, value = job.outcome
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)


def _wrap(exc: BaseException) -> BaseException:
    """Keep our own errors as they are; name SQLite failures as storage errors."""
    if isinstance(exc, sqlite3.Error):
        err = StorageError(f"sqlite: {exc}")
        err.__cause__ = exc
        return err
    return exc
