"""SQLite schema and connection: numbered migrations, newer-schema refusal, pragmas."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from orch8_nb.errors import StorageError
from orch8_nb.storage import open_storage
from orch8_nb.storage.sqlite import migrations
from orch8_nb.storage.sqlite.backend import SqliteStorage

TABLES = {
    "sequences",
    "instances",
    "execution_tree",
    "block_outputs",
    "signal_inbox",
    "worker_tasks",
    "instance_kv_state",
    "checkpoints",
    "audit_log",
    "engine_nodes",
    "schema_migrations",
}


def read(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def open_close(url: str, now_ms: int) -> int:
    async def go() -> int:
        store = open_storage(url, now_ms=now_ms)
        await store.open()
        try:
            return await store.schema_version()
        finally:
            await store.close()

    return asyncio.run(go())


def on_connection(store: SqliteStorage, sql: str) -> Any:
    """Run one query on the backend's own connection (pragmas are per connection)."""

    async def go() -> Any:
        await store.open()
        try:
            return await store._db.run(lambda c: c.execute(sql).fetchone()[0], write=False)
        finally:
            await store.close()

    return asyncio.run(go())


def test_migration_files_are_numbered_without_gaps() -> None:
    found = migrations.available()
    assert [m.number for m in found] == list(range(1, len(found) + 1))
    assert found[0].name == "initial"
    assert all(m.sql.strip() for m in found)


def test_migrations_are_recorded_with_name_and_time(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    latest = migrations.available()[-1].number
    assert open_close(f"sqlite:///{db}", 4_242) == latest
    expected = [(m.number, m.name, 4_242) for m in migrations.available()]
    assert read(db, "SELECT version, name, applied_at FROM schema_migrations") == expected
    tables = {t for (t,) in read(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables >= TABLES


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    first = open_close(f"sqlite:///{db}", 1_000)
    schema = read(db, "SELECT type, name, sql FROM sqlite_master ORDER BY name")
    applied = read(db, "SELECT version, name, applied_at FROM schema_migrations")
    assert open_close(f"sqlite:///{db}", 9_999) == first
    assert read(db, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema
    assert read(db, "SELECT version, name, applied_at FROM schema_migrations") == applied


def test_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    open_close(f"sqlite:///{db}", 1_000)
    newer = migrations.available()[-1].number + 1
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_migrations VALUES (?, 'from_the_future', 5)", (newer,))
    conn.commit()
    conn.close()

    store = open_storage(f"sqlite:///{db}")
    with pytest.raises(StorageError, match=rf"schema version {newer} is newer.*upgrade orch8-nb"):
        asyncio.run(store.open())
    asyncio.run(store.close())
    assert read(db, "SELECT MAX(version) FROM schema_migrations") == [(newer,)]


def test_memory_database_is_migrated_too() -> None:
    assert open_close("sqlite://:memory:", 1) == migrations.available()[-1].number


def test_file_database_runs_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    store = SqliteStorage(str(db))
    assert on_connection(store, "PRAGMA journal_mode") == "wal"
    assert read(db, "PRAGMA journal_mode") == [("wal",)]  # persistent in the file


def test_memory_database_keeps_its_journal_in_memory() -> None:
    assert on_connection(SqliteStorage(":memory:"), "PRAGMA journal_mode") == "memory"


@pytest.mark.parametrize(
    ("query", "level"), [("", 1), ("?synchronous=FULL", 2), ("?synchronous=off", 0)]
)
def test_synchronous_pragma_follows_the_url(tmp_path: Path, query: str, level: int) -> None:
    store = open_storage(f"sqlite:///{tmp_path / 'x.db'}{query}")
    assert isinstance(store, SqliteStorage)
    assert on_connection(store, "PRAGMA synchronous") == level


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    assert on_connection(SqliteStorage(str(tmp_path / "x.db")), "PRAGMA foreign_keys") == 1


def test_busy_timeout_is_zero_once_open(tmp_path: Path) -> None:
    # A locked database is retried on the helper thread, never by blocking the loop inside
    # SQLite's own busy handler.
    store = SqliteStorage(str(tmp_path / "x.db"), busy_timeout_ms=5_000)
    assert on_connection(store, "PRAGMA busy_timeout") == 0
