"""Write units: each runs inside one transaction on the database thread."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from typing import Any

from orch8_nb.errors import ConflictError, InvalidTransitionError, NotFoundError
from orch8_nb.storage.rows import (
    AuditRow,
    InstanceBundle,
    InstanceRow,
    NodeInfo,
    SequenceRow,
    SignalRow,
    WorkerTaskRow,
)
from orch8_nb.storage.sqlite import codec as c
from orch8_nb.storage.sqlite.reads import get_sequence, load_bundles

TERMINAL = ("completed", "failed", "cancelled")


def register_sequence(
    conn: sqlite3.Connection, row: SequenceRow, explicit_version: bool
) -> tuple[SequenceRow, bool]:
    key = (row.tenant_id, row.namespace, row.name)
    if explicit_version:
        found = conn.execute(
            f"SELECT {c.SEQUENCE_COLS} FROM sequences WHERE tenant_id=? AND namespace=? "
            "AND name=? AND version=?",
            (*key, row.version),
        ).fetchone()
        if found is not None:
            existing = c.sequence_row(found)
            if existing.fingerprint != row.fingerprint:
                raise ConflictError(
                    f"sequence {row.name!r} version {row.version} already exists with different "
                    "blocks; versions are immutable (omit the version to register the next one)"
                )
            return existing, False
    else:
        found = conn.execute(
            f"SELECT {c.SEQUENCE_COLS} FROM sequences WHERE tenant_id=? AND namespace=? "
            "AND name=? ORDER BY version DESC LIMIT 1",
            key,
        ).fetchone()
        if found is not None:
            latest = c.sequence_row(found)
            if latest.fingerprint == row.fingerprint:
                return latest, False
            row.version = latest.version + 1
        else:
            row.version = 1
        row.definition["version"] = row.version
    if conn.execute("SELECT 1 FROM sequences WHERE id = ?", (row.id,)).fetchone() is not None:
        # A changed definition re-registered under its old id: the new version needs its own.
        row.id = str(uuid.uuid4())
        row.definition["id"] = row.id
    conn.execute(
        f"INSERT INTO sequences ({c.SEQUENCE_COLS}) VALUES ({c.placeholders(10)})",
        c.sequence_params(row),
    )
    return row, True


def create_instances(
    conn: sqlite3.Connection, rows: Sequence[InstanceRow], audits: Sequence[AuditRow]
) -> list[tuple[str, bool]]:
    results: list[tuple[str, bool]] = []
    dropped: set[str] = set()
    for row in rows:
        if row.idempotency_key is not None:
            hit = conn.execute(
                "SELECT id FROM instances WHERE tenant_id = ? AND idempotency_key = ?",
                (row.tenant_id, row.idempotency_key),
            ).fetchone()
            if hit is not None:
                results.append((hit[0], True))
                dropped.add(row.id)
                continue
        insert_instances(conn, [row])
        results.append((row.id, False))
    kept = [a for a in audits if a.instance_id not in dropped]
    if kept:
        insert_audit(conn, kept)
    return results


def many(conn: sqlite3.Connection, sql: str, rows: list[Any]) -> None:
    """``executemany``, but a plain ``execute`` for the usual single row (cheaper)."""
    if len(rows) == 1:
        conn.execute(sql, rows[0])
    else:
        conn.executemany(sql, rows)


def insert_instances(conn: sqlite3.Connection, rows: Sequence[InstanceRow]) -> None:
    many(
        conn,
        f"INSERT INTO instances ({c.INSTANCE_COLS}) VALUES ({c.placeholders(23)})",
        [c.instance_params(row) for row in rows],
    )


def insert_audit(conn: sqlite3.Connection, rows: Sequence[AuditRow]) -> None:
    if not rows:
        return
    many(
        conn,
        "INSERT INTO audit_log (id, instance_id, tenant_id, event_type, from_state, to_state, "
        f"block_id, details, created_at) VALUES ({c.placeholders(9)})",
        [c.audit_params(a) for a in rows],
    )


def _transition_audit(inst: InstanceRow, to_state: str, now: int, details: Any) -> AuditRow:
    return AuditRow(
        str(uuid.uuid4()), inst.id, inst.tenant_id, "state_transition", inst.state, to_state,
        None, details, now,
    )  # fmt: skip


def claim_due(conn: sqlite3.Connection, now: int, limit: int, owner: str) -> list[InstanceBundle]:
    running = dict(
        conn.execute(
            "SELECT concurrency_key, COUNT(*) FROM instances WHERE state = 'running' "
            "AND concurrency_key IS NOT NULL GROUP BY concurrency_key"
        ).fetchall()
    )
    chosen: list[InstanceRow] = []
    page, offset = max(limit * 2, 16), 0
    # Page through due rows so instances held back by a full concurrency group never
    # starve the due instances behind them.
    while len(chosen) < limit:
        rows = conn.execute(
            f"SELECT {c.INSTANCE_COLS} FROM instances WHERE state = 'scheduled' "
            "AND (next_fire_at IS NULL OR next_fire_at <= ?) "
            "ORDER BY priority DESC, next_fire_at ASC, created_at ASC LIMIT ? OFFSET ?",
            (now, page, offset),
        ).fetchall()
        for t in rows:
            inst = c.instance_row(t)
            key, cap = inst.concurrency_key, inst.max_concurrency
            if key is not None and cap is not None:
                if running.get(key, 0) >= cap:
                    continue
                running[key] = running.get(key, 0) + 1
            chosen.append(inst)
            if len(chosen) >= limit:
                break
        if len(rows) < page:
            break
        offset += page
    if not chosen:
        return []
    conn.executemany(
        "UPDATE instances SET state = 'running', lease_owner = ?, rev = rev + 1, "
        "updated_at = ? WHERE id = ? AND state = 'scheduled'",
        [(owner, now, inst.id) for inst in chosen],
    )
    insert_audit(
        conn, [_transition_audit(i, "running", now, {"reason": "claimed"}) for i in chosen]
    )
    for inst in chosen:
        inst.state = "running"
        inst.lease_owner = owner
        inst.rev += 1
        inst.updated_at = now
    return load_bundles(conn, chosen)


def enqueue_signal(conn: sqlite3.Connection, row: SignalRow) -> str:
    found = conn.execute("SELECT state FROM instances WHERE id = ?", (row.instance_id,)).fetchone()
    if found is None:
        raise NotFoundError(f"instance {row.instance_id} not found")
    if found[0] in TERMINAL:
        raise InvalidTransitionError(
            f"instance {row.instance_id} is {found[0]}; signals need a non-terminal instance"
        )
    conn.execute(
        f"INSERT INTO signal_inbox ({c.SIGNAL_COLS}) VALUES ({c.placeholders(7)})",
        c.signal_params(row),
    )
    return str(found[0])


def claim_worker_tasks(
    conn: sqlite3.Connection,
    handler_name: str,
    worker_id: str,
    limit: int,
    now: int,
    queue_name: str | None,
    tenant_id: str | None,
) -> list[WorkerTaskRow]:
    sql = "SELECT id FROM worker_tasks WHERE handler_name = ? AND state = 'pending'"
    args: list[Any] = [handler_name]
    if queue_name is not None:
        sql += " AND queue_name = ?"
        args.append(queue_name)
    if tenant_id is not None:
        sql += " AND tenant_id = ?"
        args.append(tenant_id)
    ids = [t[0] for t in conn.execute(sql + " ORDER BY created_at, id LIMIT ?", (*args, limit))]
    if not ids:
        return []
    conn.executemany(
        "UPDATE worker_tasks SET state = 'claimed', worker_id = ?, claimed_at = ?, "
        "heartbeat_at = ?, claim_epoch = claim_epoch + 1 WHERE id = ?",
        [(worker_id, now, now, tid) for tid in ids],
    )
    cur = conn.execute(
        f"SELECT {c.TASK_COLS} FROM worker_tasks WHERE id IN ({c.placeholders(len(ids))}) "
        "ORDER BY created_at, id",
        ids,
    )
    return [c.task_row(t) for t in cur]


def heartbeat_worker_task(
    conn: sqlite3.Connection, task_id: str, worker_id: str, claim_epoch: int | None, now: int
) -> WorkerTaskRow | None:
    sql = (
        "UPDATE worker_tasks SET heartbeat_at = ? "
        "WHERE id = ? AND state = 'claimed' AND worker_id = ?"
    )
    args: list[Any] = [now, task_id, worker_id]
    if claim_epoch is not None:
        sql += " AND claim_epoch = ?"
        args.append(claim_epoch)
    if conn.execute(sql, args).rowcount == 0:
        return None
    row = conn.execute(f"SELECT {c.TASK_COLS} FROM worker_tasks WHERE id = ?", (task_id,))
    return c.task_row(row.fetchone())


def reap_worker_tasks(
    conn: sqlite3.Connection, now: int, stale_before: int
) -> tuple[list[str], list[WorkerTaskRow]]:
    expired = [c.task_row(t) for t in conn.execute(
        f"SELECT {c.TASK_COLS} FROM worker_tasks WHERE state = 'claimed' "
        "AND timeout_ms IS NOT NULL AND claimed_at + timeout_ms <= ?", (now,))]  # fmt: skip
    late = {t.id for t in expired}
    silent = conn.execute(
        "SELECT id FROM worker_tasks WHERE state = 'claimed' "
        "AND coalesce(heartbeat_at, claimed_at) < ?",
        (stale_before,),
    )
    stale = [t[0] for t in silent if t[0] not in late]
    conn.executemany(
        "UPDATE worker_tasks SET state = 'pending', worker_id = NULL, claimed_at = NULL, "
        "heartbeat_at = NULL WHERE id = ? AND state = 'claimed'",
        [(tid,) for tid in stale],
    )
    return stale, expired


def register_node(conn: sqlite3.Connection, node: NodeInfo) -> None:
    conn.execute(
        "INSERT INTO engine_nodes (id, hostname, pid, started_at, heartbeat_at) "
        "VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, pid = excluded.pid, "
        "started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at",
        (node.id, node.hostname, node.pid, node.started_at, node.heartbeat_at),
    )


def release_instances(
    conn: sqlite3.Connection,
    now: int,
    reason: str,
    owners: Sequence[str] | None,
    except_owners: Sequence[str],
) -> list[str]:
    sql = f"SELECT {c.INSTANCE_COLS} FROM instances WHERE state = 'running'"
    args: list[Any] = []
    if owners is not None:
        if not owners:
            return []
        sql += f" AND lease_owner IN ({c.placeholders(len(owners))})"
        args.extend(owners)
    if except_owners:
        sql += (
            f" AND (lease_owner IS NULL OR lease_owner NOT IN "
            f"({c.placeholders(len(except_owners))}))"
        )
        args.extend(except_owners)
    rows = [c.instance_row(t) for t in conn.execute(sql, args)]
    if not rows:
        return []
    conn.executemany(
        "UPDATE instances SET state = 'scheduled', lease_owner = NULL, next_fire_at = ?, "
        "rev = rev + 1, updated_at = ? WHERE id = ? AND state = 'running'",
        [(now, now, r.id) for r in rows],
    )
    insert_audit(
        conn,
        [_transition_audit(r, "scheduled", now, {"reason": reason, "owner": r.lease_owner})
         for r in rows],
    )  # fmt: skip
    return [r.id for r in rows]


def deprecate_sequence(conn: sqlite3.Connection, sequence_id: str, deprecated: bool) -> SequenceRow:
    found = conn.execute("SELECT definition FROM sequences WHERE id = ?", (sequence_id,)).fetchone()
    if found is None:
        raise NotFoundError(f"sequence {sequence_id} not found")
    definition = {**c.loads(found[0]), "deprecated": deprecated}
    conn.execute(
        "UPDATE sequences SET deprecated = ?, definition = ? WHERE id = ?",
        (int(deprecated), c.dumps(definition), sequence_id),
    )
    row = get_sequence(conn, sequence_id)
    assert row is not None
    return row


def delete_sequence(
    conn: sqlite3.Connection, sequence_id: str, purge: bool, audit: Sequence[AuditRow]
) -> int:
    if conn.execute("SELECT 1 FROM sequences WHERE id = ?", (sequence_id,)).fetchone() is None:
        raise NotFoundError(f"sequence {sequence_id} not found")
    counts: dict[str, int] = dict(conn.execute(
        "SELECT state, COUNT(*) FROM instances WHERE sequence_id = ? GROUP BY state",
        (sequence_id,)).fetchall())  # fmt: skip
    unfinished = sum(n for state, n in counts.items() if state not in TERMINAL)
    if unfinished:
        raise ConflictError(
            f"sequence {sequence_id} still has {unfinished} unfinished instance(s) (scheduled, "
            "running, waiting or paused); let them finish, cancel them or migrate them first"
        )
    finished = sum(counts.values())
    if finished and not purge:
        raise ConflictError(
            f"{finished} finished instance(s) of sequence {sequence_id} still reference it; "
            "purge them with it, or deprecate the version instead"
        )
    if finished:  # their tree, outputs, signals, tasks... cascade; audit rows stay
        conn.execute("DELETE FROM instances WHERE sequence_id = ?", (sequence_id,))
    conn.execute("DELETE FROM sequences WHERE id = ?", (sequence_id,))
    insert_audit(conn, audit)
    return finished
