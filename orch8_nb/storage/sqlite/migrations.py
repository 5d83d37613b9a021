"""Numbered, forward-only schema migrations read from ``storage/schema/sqlite``.

Each file ``NNNN_name.sql`` is applied once, in its own transaction, and recorded in
``schema_migrations`` with its number, name and time. Released files are never edited.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

from orch8_nb.errors import StorageError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    number: int
    name: str
    sql: str


def available() -> list[Migration]:
    folder = resources.files("orch8_nb.storage").joinpath("schema", "sqlite")
    found: list[Migration] = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda mig: mig.number)
    return found


def apply(conn: sqlite3.Connection, now_ms: int) -> int:
    """Apply pending migrations; returns the resulting schema version."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
    )
    migrations = available()
    latest_known = migrations[-1].number if migrations else 0
    for mig in migrations:
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = conn.execute(
                "SELECT 1 FROM schema_migrations WHERE version = ?", (mig.number,)
            ).fetchone()
            if done is None:
                for statement in _statements(mig.sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (mig.number, mig.name, now_ms),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    current = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] or 0
    if current > latest_known:
        raise StorageError(
            f"database schema version {current} is newer than this orch8-nb knows "
            f"({latest_known}); upgrade orch8-nb"
        )
    return int(current)


def _statements(script: str) -> list[str]:
    """Split a migration on statement boundaries (our files keep one statement per ';')."""
    lines = [ln for ln in script.splitlines() if not ln.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
