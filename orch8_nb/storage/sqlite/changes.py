"""Applying a :class:`~orch8_nb.storage.rows.Changeset`: one engine decision, all or nothing.

The instance row is compared-and-swapped on its revision (or inserted, for a changeset
that creates its instance); then every child write follows in the same transaction.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from orch8_nb.errors import ConflictError
from orch8_nb.storage.rows import (
    INSTANCE_JSON_COLUMNS,
    INSTANCE_UPDATABLE,
    Changeset,
    CommitResult,
    OutputPrune,
    SignalRow,
    TaskUpdate,
)
from orch8_nb.storage.sqlite import codec as c
from orch8_nb.storage.sqlite.writes import insert_audit, insert_instances, many


def commit(conn: sqlite3.Connection, cs: Changeset) -> CommitResult:
    if cs.create is not None:
        insert_instances(conn, [cs.create])
        _apply_children(conn, cs)
        return CommitResult(True, cs.create.rev)
    sets = ["rev = rev + 1", "updated_at = ?"]
    args: list[Any] = [cs.now]
    for col, value in cs.instance.items():
        if col not in INSTANCE_UPDATABLE:
            raise ValueError(f"instance column {col!r} cannot be updated")
        sets.append(f"{col} = ?")
        args.append(c.dumps_opt(value) if col in INSTANCE_JSON_COLUMNS else value)
    sql = f"UPDATE instances SET {', '.join(sets)} WHERE id = ? AND rev = ?"
    args += [cs.instance_id, cs.expect_rev]
    if cs.expect_state is not None:
        sql += " AND state = ?"
        args.append(cs.expect_state)
    if conn.execute(sql, args).rowcount != 1:
        return CommitResult(False, cs.expect_rev, reason="instance changed concurrently")
    for task_id in cs.tasks_withdraw:
        gone = conn.execute(
            "DELETE FROM worker_tasks WHERE id = ? AND state = 'pending'", (task_id,)
        ).rowcount
        if gone != 1:
            raise ConflictError(f"worker task {task_id} was claimed meanwhile")
    for upd in cs.tasks_update:
        if not _apply_task_update(
            conn, upd.task_id, upd.expect_state, upd.expect_epoch, upd.values
        ):
            # Undo the instance update too: the unit runs in a savepoint / transaction.
            raise ConflictError(f"worker task {upd.task_id} changed concurrently")
    _apply_children(conn, cs)
    pending = cs.check_signals and (
        conn.execute(
            "SELECT 1 FROM signal_inbox WHERE instance_id = ? AND delivered = 0 LIMIT 1",
            (cs.instance_id,),
        ).fetchone()
        is not None
    )
    return CommitResult(True, cs.expect_rev + 1, pending_signals=pending)


def _apply_children(conn: sqlite3.Connection, cs: Changeset) -> None:
    iid = cs.instance_id
    if cs.instances_insert:
        insert_instances(conn, cs.instances_insert)
    if cs.signals_send:
        send_signals(conn, cs.signals_send)
    if cs.nodes_delete:
        conn.execute("DELETE FROM execution_tree WHERE instance_id = ?", (iid,))
    if cs.nodes_insert:
        many(
            conn,
            f"INSERT INTO execution_tree ({c.NODE_COLS}) VALUES ({c.placeholders(10)})",
            [c.node_params(n) for n in cs.nodes_insert],
        )
    if cs.nodes_update:
        many(
            conn,
            "UPDATE execution_tree SET state = ?, started_at = ?, completed_at = ? WHERE id = ?",
            [(u.state, u.started_at, u.completed_at, u.node_id) for u in cs.nodes_update],
        )
    if cs.outputs:
        many(
            conn,
            "INSERT INTO block_outputs (id, instance_id, block_id, output, output_ref, "
            f"output_size, attempt, created_at) VALUES ({c.placeholders(8)})",
            [c.output_params(o) for o in cs.outputs],
        )
    for prune in cs.outputs_prune:
        _prune_outputs(conn, iid, prune)
    if cs.signals_delivered:
        many(
            conn,
            "UPDATE signal_inbox SET delivered = 1, delivered_at = ? WHERE id = ?",
            [(cs.now, sid) for sid in cs.signals_delivered],
        )
    if cs.tasks_drop_blocks:
        conn.executemany(
            "DELETE FROM worker_tasks WHERE instance_id = ? AND block_id = ? AND state = 'pending'",
            [(iid, b) for b in cs.tasks_drop_blocks],
        )
    if cs.tasks_delete_pending:
        conn.execute("DELETE FROM worker_tasks WHERE instance_id = ? AND state = 'pending'", (iid,))
    if cs.tasks_insert:
        many(
            conn,
            f"INSERT INTO worker_tasks ({c.TASK_COLS}) VALUES ({c.placeholders(22)})",
            [c.task_params(t) for t in cs.tasks_insert],
        )
    if cs.kv_set:
        many(
            conn,
            "INSERT INTO instance_kv_state (instance_id, key, value, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (instance_id, key) DO UPDATE SET "
            "value = excluded.value, updated_at = excluded.updated_at",
            [(iid, k, c.dumps(v), cs.now) for k, v in cs.kv_set.items()],
        )
    if cs.kv_delete:
        many(
            conn,
            "DELETE FROM instance_kv_state WHERE instance_id = ? AND key = ?",
            [(iid, k) for k in cs.kv_delete],
        )
    if cs.audit:
        insert_audit(conn, cs.audit)


def _prune_outputs(conn: sqlite3.Connection, iid: str, prune: OutputPrune) -> None:
    blocks = c.placeholders(len(prune.block_ids))
    sql = f"DELETE FROM block_outputs WHERE instance_id = ? AND block_id IN ({blocks})"
    args: list[Any] = [iid, *prune.block_ids]
    if prune.skip >= 0:
        sql += (
            " AND seq < (SELECT seq FROM block_outputs WHERE instance_id = ? AND block_id = ?"
            " ORDER BY seq DESC LIMIT 1 OFFSET ?)"
        )
        args += [iid, prune.anchor, prune.skip]
    conn.execute(sql, args)


def _apply_task_update(
    conn: sqlite3.Connection,
    task_id: str,
    expect_state: str,
    expect_epoch: int | None,
    values: dict[str, Any],
) -> bool:
    sets: list[str] = []
    args: list[Any] = []
    for col, value in values.items():
        sets.append(f"{col} = ?")
        if col in c.TASK_JSON_COLUMNS:
            args.append(c.dumps_opt(value))
        elif isinstance(value, bool):
            args.append(int(value))
        else:
            args.append(value)
    sql = f"UPDATE worker_tasks SET {', '.join(sets)} WHERE id = ? AND state = ?"
    args += [task_id, expect_state]
    if expect_epoch is not None:
        sql += " AND claim_epoch = ?"
        args.append(expect_epoch)
    return bool(conn.execute(sql, args).rowcount == 1)


def store_task_result(conn: sqlite3.Connection, update: TaskUpdate, signal: SignalRow) -> bool:
    """A worker's result kept with its task (compare-and-swap on state and epoch), and the
    signal that tells the instance, unless it has ended. False if the task moved on."""
    if not _apply_task_update(
        conn, update.task_id, update.expect_state, update.expect_epoch, update.values
    ):
        return False
    send_signals(conn, [signal])
    return True


def send_signals(conn: sqlite3.Connection, rows: list[SignalRow]) -> None:
    """Queue signals for other instances; one whose target has ended is dropped."""
    many(
        conn,
        f"INSERT INTO signal_inbox ({c.SIGNAL_COLS}) SELECT {c.placeholders(7)} "
        "WHERE EXISTS (SELECT 1 FROM instances WHERE id = ? AND state NOT IN "
        "('completed', 'failed', 'cancelled'))",
        [(*c.signal_params(s), s.instance_id) for s in rows],
    )
