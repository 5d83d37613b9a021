"""Checkpoints, handler progress and sessions: small records beside the instances, plain
CRUD."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from orch8_nb.errors import ConflictError, NotFoundError
from orch8_nb.storage.rows import AuditRow, CheckpointRow, SessionRow
from orch8_nb.storage.sqlite import codec as c
from orch8_nb.storage.sqlite.writes import insert_audit

_SESSION_COLS = "id, tenant_id, session_key, data, state, created_at, updated_at, expires_at"


def save_checkpoint(
    conn: sqlite3.Connection, row: CheckpointRow, audit: Sequence[AuditRow]
) -> None:
    if conn.execute("SELECT 1 FROM instances WHERE id = ?", (row.instance_id,)).fetchone() is None:
        raise NotFoundError(f"instance {row.instance_id} not found")
    conn.execute(
        "INSERT INTO checkpoints (id, instance_id, checkpoint_data, created_at) "
        "VALUES (?, ?, ?, ?)",
        (row.id, row.instance_id, c.dumps(row.checkpoint_data), row.created_at),
    )
    insert_audit(conn, audit)


def save_progress(
    conn: sqlite3.Connection,
    instance_id: str,
    key: str,
    value: Any,
    now: int,
    audit: Sequence[AuditRow],
) -> None:
    if conn.execute("SELECT 1 FROM instances WHERE id = ?", (instance_id,)).fetchone() is None:
        raise NotFoundError(f"instance {instance_id} not found")
    conn.execute(
        "INSERT INTO instance_kv_state (instance_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (instance_id, key) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at",
        (instance_id, key, c.dumps(value), now),
    )
    insert_audit(conn, audit)


def list_checkpoints(conn: sqlite3.Connection, instance_id: str) -> list[CheckpointRow]:
    cur = conn.execute(
        "SELECT id, instance_id, checkpoint_data, created_at, rowid FROM checkpoints "
        "WHERE instance_id = ? ORDER BY created_at, rowid",
        (instance_id,),
    )
    return [CheckpointRow(t[0], t[1], c.loads(t[2]), t[3], t[4]) for t in cur]


def prune_checkpoints(
    conn: sqlite3.Connection, instance_id: str, keep: int, audit: Sequence[AuditRow]
) -> int:
    """Delete all but the newest ``keep`` checkpoints; returns how many went."""
    insert_audit(conn, audit)
    return conn.execute(
        "DELETE FROM checkpoints WHERE instance_id = ? AND rowid NOT IN (SELECT rowid FROM "
        "checkpoints WHERE instance_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?)",
        (instance_id, instance_id, keep),
    ).rowcount


def create_session(conn: sqlite3.Connection, row: SessionRow, audit: Sequence[AuditRow]) -> None:
    insert_audit(conn, audit)
    try:
        conn.execute(
            f"INSERT INTO sessions ({_SESSION_COLS}) VALUES ({c.placeholders(8)})",
            (row.id, row.tenant_id, row.session_key, c.dumps(row.data), row.state,
             row.created_at, row.updated_at, row.expires_at),
        )  # fmt: skip
    except sqlite3.IntegrityError as exc:
        raise ConflictError(f"a session with key {row.session_key!r} exists already") from exc


def _session(t: Any) -> SessionRow:
    return SessionRow(t[0], t[1], t[2], c.loads(t[3]), t[4], t[5], t[6], t[7])


def get_session(conn: sqlite3.Connection, session_id: str) -> SessionRow | None:
    t = conn.execute(f"SELECT {_SESSION_COLS} FROM sessions WHERE id = ?", (session_id,)).fetchone()
    return None if t is None else _session(t)


def find_session(conn: sqlite3.Connection, tenant_id: str, key: str) -> SessionRow | None:
    t = conn.execute(
        f"SELECT {_SESSION_COLS} FROM sessions WHERE tenant_id = ? AND session_key = ?",
        (tenant_id, key),
    ).fetchone()
    return None if t is None else _session(t)


def list_sessions(
    conn: sqlite3.Connection, tenant_id: str, limit: int, offset: int
) -> list[SessionRow]:
    cur = conn.execute(
        f"SELECT {_SESSION_COLS} FROM sessions WHERE tenant_id = ? "
        "ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
        (tenant_id, limit, offset),
    )
    return [_session(t) for t in cur]


def update_session(conn: sqlite3.Connection, row: SessionRow, audit: Sequence[AuditRow]) -> None:
    """Write ``data``, ``state``, ``updated_at`` and ``expires_at`` of an existing session."""
    insert_audit(conn, audit)
    done = conn.execute(
        "UPDATE sessions SET data = ?, state = ?, updated_at = ?, expires_at = ? WHERE id = ?",
        (c.dumps(row.data), row.state, row.updated_at, row.expires_at, row.id),
    ).rowcount
    if done != 1:
        raise NotFoundError(f"session {row.id} not found")


def set_rate_limit(
    conn: sqlite3.Connection,
    tenant_id: str,
    key: str,
    max_count: int,
    window_ms: int,
    now: int,
    audit: Sequence[AuditRow],
) -> None:
    """Create or change a limit; a changed limit starts a fresh window."""
    insert_audit(conn, audit)
    conn.execute(
        "INSERT INTO rate_limits (tenant_id, resource_key, max_count, window_ms, window_start, "
        "used) VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (tenant_id, resource_key) DO UPDATE SET "
        "max_count = excluded.max_count, window_ms = excluded.window_ms, "
        "window_start = excluded.window_start, used = 0",
        (tenant_id, key, max_count, window_ms, now),
    )


def delete_rate_limit(
    conn: sqlite3.Connection, tenant_id: str, key: str, audit: Sequence[AuditRow]
) -> bool:
    insert_audit(conn, audit)
    return bool(
        conn.execute(
            "DELETE FROM rate_limits WHERE tenant_id = ? AND resource_key = ?", (tenant_id, key)
        ).rowcount
    )


def list_rate_limits(conn: sqlite3.Connection, tenant_id: str) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT resource_key, max_count, window_ms, window_start, used FROM rate_limits "
        "WHERE tenant_id = ? ORDER BY resource_key",
        (tenant_id,),
    )
    keys = ("resource_key", "max_count", "window_ms", "window_start", "used")
    return [dict(zip(keys, t, strict=True)) for t in cur]


def acquire_rate(conn: sqlite3.Connection, tenant_id: str, key: str, now: int) -> int | None:
    """Take one unit of ``key``'s window: ``None`` when granted (or no limit is set), else
    when the current window ends (epoch ms)."""
    row = conn.execute(
        "SELECT max_count, window_ms, window_start, used FROM rate_limits "
        "WHERE tenant_id = ? AND resource_key = ?",
        (tenant_id, key),
    ).fetchone()
    if row is None:
        return None
    max_count, window_ms, start, used = row
    if now >= start + window_ms:
        start, used = now, 0
    if used >= max_count:
        return int(start + window_ms)
    conn.execute(
        "UPDATE rate_limits SET window_start = ?, used = ? "
        "WHERE tenant_id = ? AND resource_key = ?",
        (start, used + 1, tenant_id, key),
    )
    return None


def append_audit(conn: sqlite3.Connection, audit: Sequence[AuditRow]) -> None:
    insert_audit(conn, audit)


def get_llm_record(conn: sqlite3.Connection, key: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT key, provider, model, request, response, recorded_at FROM llm_cassette "
        "WHERE key = ?",
        (key,),
    ).fetchone()
    if row is None:
        return None
    return {"key": row[0], "provider": row[1], "model": row[2], "request": c.loads(row[3]),
            "response": c.loads(row[4]), "recorded_at": row[5]}  # fmt: skip


def put_llm_record(conn: sqlite3.Connection, record: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO llm_cassette (key, provider, model, request, response, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET provider = excluded.provider, "
        "model = excluded.model, request = excluded.request, response = excluded.response, "
        "recorded_at = excluded.recorded_at",
        (record["key"], record["provider"], record["model"], c.dumps(record["request"]),
         c.dumps(record["response"]), record["recorded_at"]),
    )  # fmt: skip
