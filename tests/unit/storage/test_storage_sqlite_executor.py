"""The SQLite executor: group commit on the loop, a helper thread for a locked database."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from orch8_nb.errors import StorageError
from orch8_nb.storage.rows import (
    Changeset,
    InstanceRow,
    SequenceRow,
    WorkerTaskRow,
)
from orch8_nb.storage.sqlite import dbthread
from orch8_nb.storage.sqlite.backend import SqliteStorage

URLS = ["file", "memory"]


def make_store(kind: str, tmp_path: Path, **options: Any) -> SqliteStorage:
    return SqliteStorage(str(tmp_path / "x.db") if kind == "file" else ":memory:", **options)


def instance(iid: str, **fields: Any) -> InstanceRow:
    values: dict[str, Any] = {
        "id": iid, "sequence_id": "seq", "tenant_id": "t1", "namespace": "default",
        "state": "running", "next_fire_at": None, "priority": 1, "timezone": "UTC",
        "metadata": {}, "context_data": {}, "context_config": {}, "context_audit": [],
        "context_runtime": {}, "concurrency_key": None, "max_concurrency": None,
        "idempotency_key": None, "session_id": None, "parent_instance_id": None,
        "budget": None, "created_at": 1_000, "updated_at": 1_000, "rev": 1,
    }  # fmt: skip
    values.update(fields)
    return InstanceRow(**values)


async def seeded(store: SqliteStorage, count: int) -> list[str]:
    """Open ``store`` and give it ``count`` running instances at rev 1: ``i0``, ``i1``..."""
    await store.open()
    seq = SequenceRow("seq", "t1", "default", "flow", 1, {}, "fp", False, "active", 0)
    await store.register_sequence(seq, explicit_version=True)
    ids = [f"i{n}" for n in range(count)]
    await store.create_instances([instance(i) for i in ids], [])
    return ids


def bump(iid: str, rev: int = 1, **changes: Any) -> Changeset:
    return Changeset(iid, rev, 2_000, kv_set={"v": iid}, **changes)


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(scenario())  # type: ignore[arg-type]


# -- group commit -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", URLS)
def test_commits_of_one_loop_iteration_share_one_transaction(kind: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        store = make_store(kind, tmp_path)
        ids = await seeded(store, 5)
        before = dict(store.stats)
        changesets = [bump(i) for i in ids]
        changesets[3].expect_rev = 0  # stale: not applied, but not an error either
        results = await asyncio.gather(*(store.commit(cs) for cs in changesets))
        assert [r.ok for r in results] == [True, True, True, False, True]
        assert store.stats["transactions"] - before["transactions"] == 1
        assert store.stats["units"] - before["units"] == 5
        for iid in ids:
            assert await store.get_kv(iid) == ({} if iid == "i3" else {"v": iid})
        await store.close()

    run(scenario)


@pytest.mark.parametrize("kind", URLS)
def test_sequential_commits_and_reads(kind: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        store = make_store(kind, tmp_path)
        ids = await seeded(store, 3)
        before = dict(store.stats)
        for iid in ids:
            assert (await store.commit(bump(iid))).ok
            assert await store.get_kv(iid) == {"v": iid}
        assert store.stats["transactions"] - before["transactions"] == 3
        assert store.stats["units"] - before["units"] == 3
        await store.close()

    run(scenario)


def test_a_group_is_capped_at_max_group_units(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = make_store("memory", tmp_path)
        ids = await seeded(store, dbthread.MAX_GROUP + 10)
        before = dict(store.stats)
        results = await asyncio.gather(*(store.commit(bump(i)) for i in ids))
        assert all(r.ok for r in results)
        assert store.stats["transactions"] - before["transactions"] == 2
        assert store.stats["units"] - before["units"] == dbthread.MAX_GROUP + 10
        await store.close()

    run(scenario)


def test_a_failing_unit_is_rolled_back_alone(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = make_store("file", tmp_path)
        ids = await seeded(store, 3)
        task = WorkerTaskRow("task", "i1", "t1", "s", "h", None, {}, {}, 1, None, "pending", 1)
        assert (await store.commit(Changeset("i1", 1, 1_500, tasks_insert=[task]))).ok
        await store.claim_worker_tasks("h", "w", 1, 1_600)
        before = dict(store.stats)
        orphan = instance("orphan", sequence_id="no-such-sequence")
        results = await asyncio.gather(
            store.commit(bump("i0")),
            store.commit(bump("i1", rev=2, tasks_withdraw=["task"])),  # raises inside
            store.create_instances([orphan], []),  # foreign key violation
            store.commit(bump("i2")),
            return_exceptions=True,
        )
        assert [getattr(r, "ok", None) for r in results] == [True, False, None, True]
        assert isinstance(results[2], StorageError)
        assert isinstance(results[2].__cause__, sqlite3.IntegrityError)
        assert "FOREIGN KEY" in str(results[2])
        assert store.stats["transactions"] - before["transactions"] == 1
        assert [await store.get_kv(i) for i in ids] == [{"v": "i0"}, {}, {"v": "i2"}]
        assert await store.get_instance("orphan") is None
        await store.close()

    run(scenario)


def test_reads_queued_with_writes_see_them(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = make_store("file", tmp_path)
        [iid] = await seeded(store, 1)
        # Reads in a group run after its transaction committed (read-your-writes).
        _, read = await asyncio.gather(store.commit(bump(iid)), store.get_instance(iid))
        assert read is not None and read.rev == 2
        assert (await store.get_instance(iid)).rev == 2  # type: ignore[union-attr]
        await store.close()

    run(scenario)


# -- a database locked by another connection ------------------------------------------------


class Ticker:
    """Counts loop turns while it runs; the largest gap shows whether the loop was blocked."""

    def __init__(self) -> None:
        self.ticks = 0
        self.max_gap = 0.0

    async def run_for(self, seconds: float) -> None:
        start = last = time.monotonic()
        while last - start < seconds:
            await asyncio.sleep(0.005)
            now = time.monotonic()
            self.ticks += 1
            self.max_gap = max(self.max_gap, now - last)
            last = now


def lock_database(path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO engine_nodes VALUES ('other', 'elsewhere', 1, 0, 0)")
    return other


def test_locked_database_waits_off_the_loop_and_keeps_order(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = make_store("file", tmp_path, busy_timeout_ms=10_000)
        ids = await seeded(store, 3)
        other = lock_database(tmp_path / "x.db")
        try:
            done_at: dict[str, float] = {}
            commits = [asyncio.ensure_future(store.commit(bump(i))) for i in ids]
            for iid, fut in zip(ids, commits, strict=True):
                fut.add_done_callback(lambda _, iid=iid: done_at.setdefault(iid, time.monotonic()))
            read = asyncio.ensure_future(store.get_kv(ids[0]))
            ticker = Ticker()
            await ticker.run_for(0.3)
            assert not any(c.done() for c in commits) and not read.done()
            assert ticker.ticks >= 10 and ticker.max_gap < 0.2  # the loop kept running

            released_at = time.monotonic()
            other.execute("COMMIT")
            results = await asyncio.wait_for(asyncio.gather(*commits), 10)
            assert [r.ok for r in results] == [True, True, True]
            assert min(done_at.values()) >= released_at
            assert await asyncio.wait_for(read, 10) == {"v": ids[0]}  # queued behind the write
            assert [n.id for n in await store.list_nodes()] == ["other"]
        finally:
            other.close()
            await store.close()

    run(scenario)


def test_locked_database_gives_up_after_the_busy_timeout(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = make_store("file", tmp_path, busy_timeout_ms=400)
        [iid] = await seeded(store, 1)
        other = lock_database(tmp_path / "x.db")
        try:
            ticker = Ticker()
            started = time.monotonic()
            tick = asyncio.ensure_future(ticker.run_for(0.3))
            with pytest.raises(StorageError, match="locked"):
                await asyncio.wait_for(store.commit(bump(iid)), 10)
            elapsed = time.monotonic() - started
            await tick
            assert 0.4 <= elapsed < 5
            assert ticker.ticks >= 10 and ticker.max_gap < 0.2  # the loop kept running
        finally:
            other.execute("ROLLBACK")
            other.close()
        # Nothing was written, and the storage works again once the lock is gone.
        assert await store.get_kv(iid) == {}
        result = await store.commit(bump(iid))
        assert (result.ok, result.rev) == (True, 2)
        await store.close()

    run(scenario)


def test_lock_taken_before_a_group_redo_does_not_stall_the_loop(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = make_store("file", tmp_path, busy_timeout_ms=600)
        await seeded(store, 2)
        other = sqlite3.connect(
            tmp_path / "x.db", isolation_level=None, timeout=0, check_same_thread=False
        )
        begins: list[str] = []

        def trace(sql: str) -> None:
            # The second BEGIN is the redo after the failing unit: another process wins
            # the lock in the gap after the ROLLBACK (made deterministic here).
            if sql.startswith("BEGIN IMMEDIATE"):
                begins.append(sql)
                if len(begins) == 2:
                    other.execute("BEGIN IMMEDIATE")

        await store._db.run(lambda c: c.set_trace_callback(trace), write=False)
        loop = asyncio.get_running_loop()
        loop.call_later(0.1, lambda: other.in_transaction and other.execute("COMMIT"))
        ticker = Ticker()
        tick = asyncio.ensure_future(ticker.run_for(0.3))
        try:
            results = await asyncio.wait_for(
                asyncio.gather(
                    store.commit(bump("i0")),
                    store.commit(bump("i1", tasks_withdraw=["no-such-task"])),
                ),
                2,
            )
            assert [r.ok for r in results] == [True, False]
            await tick
            assert ticker.max_gap < 0.2
        finally:
            tick.cancel()
            if other.in_transaction:
                other.execute("ROLLBACK")
            other.close()
            await store._db.run(lambda c: c.set_trace_callback(None), write=False)
            await store.close()

    run(scenario)


# -- threads and lifecycle ----------------------------------------------------------------------


def test_run_sync_serves_callers_without_a_loop(tmp_path: Path) -> None:
    store = make_store("file", tmp_path)
    store.open_sync()
    try:
        box: dict[str, Any] = {}

        def worker() -> None:
            box["count"] = store._db.run_sync(
                lambda c: c.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0],
                write=False,
            )
            try:
                store._db.run_sync(lambda c: c.execute("SELECT * FROM no_such_table"))
            except StorageError as exc:
                box["error"] = exc

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(10)
        assert box["count"] >= 1
        assert "no such table" in str(box["error"])
    finally:
        store.close_sync()


def test_a_closed_storage_refuses_work(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = make_store("memory", tmp_path)
        [iid] = await seeded(store, 1)
        await store.close()
        with pytest.raises(StorageError, match="closed"):
            await store.get_instance(iid)
        with pytest.raises(StorageError, match="closed"):
            await store.commit(bump(iid))

    run(scenario)
