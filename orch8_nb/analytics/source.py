"""Reading the engine's SQLite tables for the analytics copy, without getting in the
engine's way.

A database file is read through a connection of its own, opened read-only: in WAL mode a
reader sees the last committed snapshot and never takes the write lock, so the engine
keeps committing while a copy runs. An in-memory database exists only inside the
engine's own connection, so it is read on the engine's database thread (such databases
are small).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

#: Rows fetched from SQLite per batch while a table is copied.
BATCH = 20_000


class Source(Protocol):
    def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` on a connection that sees committed data, and return its result."""
        ...

    def close(self) -> None: ...


class FileSource:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._conn.execute("PRAGMA query_only = ON")
        self._conn.execute("BEGIN")  # one snapshot for everything fn reads
        try:
            return fn(self._conn)
        finally:
            self._conn.execute("COMMIT")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class EngineThreadSource:
    """An in-memory database, read on the engine's own database thread."""

    def __init__(self, run_on_db: Callable[[Callable[[sqlite3.Connection], Any]], Any]) -> None:
        self._run = run_on_db

    def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        result: T = self._run(fn)
        return result

    def close(self) -> None:
        pass


def batches(cursor: sqlite3.Cursor) -> Iterable[list[Any]]:
    while True:
        rows = cursor.fetchmany(BATCH)
        if not rows:
            return
        yield rows
