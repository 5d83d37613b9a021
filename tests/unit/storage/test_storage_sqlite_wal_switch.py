"""Opening a fresh file from several processes at once: the WAL switch waits its turn."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from orch8_nb.storage.sqlite.backend import _switch_to_wal


class Flaky:
    """A connection whose journal-mode switch reports a lock ``failures`` times."""

    def __init__(self, failures: int, message: str = "database is locked") -> None:
        self.failures, self.message, self.calls = failures, message, 0

    def execute(self, sql: str) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise sqlite3.OperationalError(self.message)
        return None


def test_a_lock_reported_at_once_is_retried() -> None:
    conn = Flaky(3)
    _switch_to_wal(conn, 1_000)  # type: ignore[arg-type]
    assert conn.calls == 4


def test_the_busy_budget_still_bounds_the_wait() -> None:
    conn = Flaky(1_000)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _switch_to_wal(conn, 20)  # type: ignore[arg-type]
    assert 2 <= conn.calls < 10


def test_other_errors_are_not_retried() -> None:
    conn = Flaky(1, "disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        _switch_to_wal(conn, 1_000)  # type: ignore[arg-type]
    assert conn.calls == 1
