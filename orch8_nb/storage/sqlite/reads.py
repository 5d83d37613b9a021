"""Read units: plain functions of a connection, run on the database thread."""

from __future__ import annotations

import sqlite3
from typing import Any

from orch8_nb.model import SENTINEL_REFS
from orch8_nb.storage.rows import (
    JSON,
    AuditRow,
    InstanceBundle,
    InstanceFilter,
    InstanceRow,
    NodeInfo,
    NodeRow,
    OutputRow,
    SequenceRow,
    SignalRow,
    WorkerTaskRow,
)
from orch8_nb.storage.sqlite import codec as c


def get_sequence(conn: sqlite3.Connection, sequence_id: str) -> SequenceRow | None:
    t = conn.execute(f"SELECT {c.SEQUENCE_COLS} FROM sequences WHERE id = ?", (sequence_id,))
    row = t.fetchone()
    return None if row is None else c.sequence_row(row)


def find_sequence(
    conn: sqlite3.Connection, tenant_id: str, namespace: str, name: str, version: int | None
) -> SequenceRow | None:
    base = f"SELECT {c.SEQUENCE_COLS} FROM sequences WHERE tenant_id=? AND namespace=? AND name=?"
    if version is None:
        cur = conn.execute(
            base + " AND deprecated = 0 ORDER BY version DESC LIMIT 1", (tenant_id, namespace, name)
        )
    else:
        cur = conn.execute(base + " AND version = ?", (tenant_id, namespace, name, version))
    row = cur.fetchone()
    return None if row is None else c.sequence_row(row)


def list_sequences(
    conn: sqlite3.Connection,
    tenant_id: str | None,
    namespace: str | None,
    name: str | None,
    limit: int,
    offset: int,
) -> list[SequenceRow]:
    where, args = _where(
        [("tenant_id = ?", tenant_id), ("namespace = ?", namespace), ("name = ?", name)]
    )
    cur = conn.execute(
        f"SELECT {c.SEQUENCE_COLS} FROM sequences{where} ORDER BY name, version LIMIT ? OFFSET ?",
        (*args, limit, offset),
    )
    return [c.sequence_row(t) for t in cur]


def get_instance(conn: sqlite3.Connection, instance_id: str) -> InstanceRow | None:
    row = conn.execute(
        f"SELECT {c.INSTANCE_COLS} FROM instances WHERE id = ?", (instance_id,)
    ).fetchone()
    return None if row is None else c.instance_row(row)


def _instance_where(flt: InstanceFilter) -> tuple[str, list[Any]]:
    conds: list[tuple[str, Any]] = [
        ("tenant_id = ?", flt.tenant_id),
        ("namespace = ?", flt.namespace),
        ("sequence_id = ?", flt.sequence_id),
        ("parent_instance_id = ?", flt.parent_instance_id),
        ("session_id = ?", flt.session_id),
    ]
    where, args = _where(conds)
    extra: list[str] = []
    if flt.states:
        extra.append(f"state IN ({c.placeholders(len(flt.states))})")
        args.extend(flt.states)
    for key, value in flt.metadata.items():
        # Same JSON type and same value: a JSON null matches null (not a missing key),
        # and true does not match 1.
        extra.append(
            "json_type(metadata, ?) = json_type(?) "
            "AND (json_extract(?, '$') IS NULL OR json_extract(metadata, ?) = json_extract(?, '$'))"
        )
        path, text = f'$."{key}"', c.dumps(value)
        args.extend([path, text, text, path, text])
    if extra:
        where = (where + " AND " if where else " WHERE ") + " AND ".join(extra)
    return where, args


def list_instances(
    conn: sqlite3.Connection, flt: InstanceFilter, limit: int, offset: int
) -> list[InstanceRow]:
    where, args = _instance_where(flt)
    cur = conn.execute(
        f"SELECT {c.INSTANCE_COLS} FROM instances{where} "
        "ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
        (*args, limit, offset),
    )
    return [c.instance_row(t) for t in cur]


def count_instances(conn: sqlite3.Connection, flt: InstanceFilter) -> dict[str, int]:
    where, args = _instance_where(flt)
    cur = conn.execute(f"SELECT state, COUNT(*) FROM instances{where} GROUP BY state", args)
    return {state: n for state, n in cur}


def load_bundles(conn: sqlite3.Connection, instances: list[InstanceRow]) -> list[InstanceBundle]:
    """Batch-load tree, outputs, signals and KV for several instances (4 queries in all)."""
    if not instances:
        return []
    ids = [i.id for i in instances]
    marks = c.placeholders(len(ids))
    nodes: dict[str, list[NodeRow]] = {i: [] for i in ids}
    for t in conn.execute(
        f"SELECT {c.NODE_COLS} FROM execution_tree WHERE instance_id IN ({marks}) "
        "ORDER BY position",
        ids,
    ):
        nodes[t[1]].append(c.node_row(t))
    outputs: dict[str, dict[str, OutputRow]] = {i: {} for i in ids}
    attempts: dict[str, dict[str, OutputRow]] = {i: {} for i in ids}
    # Only the latest row per block (of any kind, and the latest real one): an instance
    # with a long history (loops, many items) reloads in time independent of its length.
    sentinels = c.placeholders(len(SENTINEL_REFS))
    for t in conn.execute(
        f"SELECT {c.OUTPUT_COLS} FROM block_outputs WHERE seq IN ("
        f"SELECT MAX(seq) FROM block_outputs WHERE instance_id IN ({marks}) "
        "GROUP BY instance_id, block_id UNION "
        f"SELECT MAX(seq) FROM block_outputs WHERE instance_id IN ({marks}) AND "
        f"(output_ref IS NULL OR output_ref NOT IN ({sentinels})) "
        "GROUP BY instance_id, block_id) ORDER BY seq",
        [*ids, *ids, *sorted(SENTINEL_REFS)],
    ):
        row = c.output_row(t)
        attempts[row.instance_id][row.block_id] = row
        if row.output_ref is None or row.output_ref not in SENTINEL_REFS:
            outputs[row.instance_id][row.block_id] = row
    signals: dict[str, list[SignalRow]] = {i: [] for i in ids}
    for t in conn.execute(
        f"SELECT {c.SIGNAL_COLS} FROM signal_inbox WHERE instance_id IN ({marks}) "
        "AND delivered = 0 ORDER BY seq",
        ids,
    ):
        signals[t[1]].append(c.signal_row(t))
    kv: dict[str, dict[str, JSON]] = {i: {} for i in ids}
    for iid, key, value in conn.execute(
        f"SELECT instance_id, key, value FROM instance_kv_state WHERE instance_id IN ({marks})",
        ids,
    ):
        kv[iid][key] = c.loads(value)
    return [
        InstanceBundle(i, nodes[i.id], outputs[i.id], attempts[i.id], signals[i.id], kv[i.id])
        for i in instances
    ]


def load_bundle(conn: sqlite3.Connection, instance_id: str) -> InstanceBundle | None:
    inst = get_instance(conn, instance_id)
    return None if inst is None else load_bundles(conn, [inst])[0]


def next_fire_at(conn: sqlite3.Connection, after: int | None) -> int | None:
    if after is None:
        row = conn.execute(
            "SELECT MIN(COALESCE(next_fire_at, 0)) FROM instances WHERE state = 'scheduled'"
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT MIN(next_fire_at) FROM instances WHERE state = 'scheduled' "
            "AND next_fire_at > ?",
            (after,),
        ).fetchone()
    return None if row is None else row[0]


def signalled_instances(conn: sqlite3.Connection, states: list[str], limit: int) -> list[str]:
    cur = conn.execute(
        "SELECT DISTINCT s.instance_id FROM signal_inbox s JOIN instances i "
        f"ON i.id = s.instance_id WHERE s.delivered = 0 AND i.state IN "
        f"({c.placeholders(len(states))}) LIMIT ?",
        (*states, limit),
    )
    return [t[0] for t in cur]


def get_worker_task(conn: sqlite3.Connection, task_id: str) -> WorkerTaskRow | None:
    row = conn.execute(f"SELECT {c.TASK_COLS} FROM worker_tasks WHERE id = ?", (task_id,))
    t = row.fetchone()
    return None if t is None else c.task_row(t)


def list_worker_tasks(
    conn: sqlite3.Connection,
    state: str | None,
    handler_name: str | None,
    instance_id: str | None,
    limit: int,
    offset: int,
) -> list[WorkerTaskRow]:
    where, args = _where(
        [("state = ?", state), ("handler_name = ?", handler_name), ("instance_id = ?", instance_id)]
    )
    cur = conn.execute(
        f"SELECT {c.TASK_COLS} FROM worker_tasks{where} ORDER BY created_at, id LIMIT ? OFFSET ?",
        (*args, limit, offset),
    )
    return [c.task_row(t) for t in cur]


def get_outputs(conn: sqlite3.Connection, instance_id: str) -> list[OutputRow]:
    cur = conn.execute(
        f"SELECT {c.OUTPUT_COLS} FROM block_outputs WHERE instance_id = ? ORDER BY seq",
        (instance_id,),
    )
    return [c.output_row(t) for t in cur]


def get_tree(conn: sqlite3.Connection, instance_id: str) -> list[NodeRow]:
    cur = conn.execute(
        f"SELECT {c.NODE_COLS} FROM execution_tree WHERE instance_id = ? ORDER BY position",
        (instance_id,),
    )
    return [c.node_row(t) for t in cur]


def get_audit(conn: sqlite3.Connection, instance_id: str) -> list[AuditRow]:
    cur = conn.execute(
        f"SELECT {c.AUDIT_COLS} FROM audit_log WHERE instance_id = ? ORDER BY seq", (instance_id,)
    )
    return [c.audit_row(t) for t in cur]


def get_signals(
    conn: sqlite3.Connection, instance_id: str, pending_only: bool = False
) -> list[SignalRow]:
    pending = " AND delivered = 0" if pending_only else ""
    cur = conn.execute(
        f"SELECT {c.SIGNAL_COLS} FROM signal_inbox WHERE instance_id = ?{pending} ORDER BY seq",
        (instance_id,),
    )
    return [c.signal_row(t) for t in cur]


def get_kv(conn: sqlite3.Connection, instance_id: str) -> dict[str, JSON]:
    cur = conn.execute(
        "SELECT key, value FROM instance_kv_state WHERE instance_id = ? ORDER BY key",
        (instance_id,),
    )
    return {k: c.loads(v) for k, v in cur}


def list_nodes(conn: sqlite3.Connection) -> list[NodeInfo]:
    cur = conn.execute("SELECT id, hostname, pid, started_at, heartbeat_at FROM engine_nodes")
    return [NodeInfo(*t) for t in cur]


def _where(conds: list[tuple[str, Any]]) -> tuple[str, list[Any]]:
    used = [(sql, v) for sql, v in conds if v is not None]
    if not used:
        return "", []
    return " WHERE " + " AND ".join(sql for sql, _ in used), [v for _, v in used]
