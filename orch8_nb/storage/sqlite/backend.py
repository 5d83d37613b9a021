"""SQLite backend: WAL, ``synchronous=NORMAL`` by default, one database thread."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

from orch8_nb.errors import ConflictError
from orch8_nb.storage.base import Capabilities
from orch8_nb.storage.rows import (
    JSON,
    AuditRow,
    Changeset,
    CheckpointRow,
    CommitResult,
    InstanceBundle,
    InstanceFilter,
    InstanceRow,
    NodeInfo,
    NodeRow,
    OutputRow,
    SequenceRow,
    SessionRow,
    SignalRow,
    TaskUpdate,
    WorkerTaskRow,
)
from orch8_nb.storage.sqlite import changes, migrations, reads, records, writes
from orch8_nb.storage.sqlite.dbthread import DatabaseThread

Synchronous = Literal["OFF", "NORMAL", "FULL"]


T = TypeVar("T")


class SqliteStorage:
    """SQLite through one connection owned by a :class:`DatabaseThread`.

    ``path`` is a file path or ``":memory:"``. With ``synchronous="NORMAL"`` (the default)
    a committed transaction survives a crash of the process, though not of the operating
    system; choose ``"FULL"`` for that.
    """

    def __init__(
        self,
        path: str,
        *,
        synchronous: Synchronous = "NORMAL",
        busy_timeout_ms: int = 10_000,
        url: str | None = None,
        now_ms: int = 0,
    ) -> None:
        self.path = path
        self.url = url or f"sqlite:///{path}"
        self.synchronous = synchronous
        self.busy_timeout_ms = busy_timeout_ms
        memory = path == ":memory:"
        self.capabilities = Capabilities(multi_process=not memory, durable=not memory)
        self._created_at = now_ms
        self._db = DatabaseThread(
            self._connect,
            name=f"orch8-sqlite:{path}",
            busy_timeout_ms=busy_timeout_ms,
        )
        self._version = 0
        self._open = False

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            isolation_level=None,
            check_same_thread=False,
            timeout=self.busy_timeout_ms / 1000,
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        if self.path != ":memory:":
            _switch_to_wal(conn, self.busy_timeout_ms)
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        try:
            self._version = migrations.apply(conn, self._created_at)
        except BaseException:
            conn.close()
            raise
        # From here on a locked database must never stall the engine loop: the executor
        # retries such transactions on its helper thread (up to busy_timeout_ms) instead.
        conn.execute("PRAGMA busy_timeout = 0")
        return conn

    @property
    def stats(self) -> dict[str, int]:
        """Write transactions and units committed (units / transactions = group size)."""
        return {"transactions": self._db.transactions, "units": self._db.units}

    async def open(self) -> None:
        self.open_sync()

    def open_sync(self) -> None:
        """Open from a thread without a running loop (the connect happens on the DB thread)."""
        if not self._open:
            self._db.start()
            self._open = True

    async def close(self) -> None:
        self.close_sync()

    def close_sync(self) -> None:
        if self._open:
            self._db.close()
            self._open = False

    async def schema_version(self) -> int:
        return self._version

    # -- sequences -------------------------------------------------------------------------------

    async def register_sequence(
        self, row: SequenceRow, *, explicit_version: bool
    ) -> tuple[SequenceRow, bool]:
        return await self._db.run(lambda c: writes.register_sequence(c, row, explicit_version))

    async def deprecate_sequence(self, sequence_id: str, deprecated: bool = True) -> SequenceRow:
        return await self._db.run(lambda c: writes.deprecate_sequence(c, sequence_id, deprecated))

    async def delete_sequence(
        self, sequence_id: str, *, purge: bool = False, audit: Sequence[AuditRow] = ()
    ) -> int:
        return await self._db.run(lambda c: writes.delete_sequence(c, sequence_id, purge, audit))

    async def get_sequence(self, sequence_id: str) -> SequenceRow | None:
        return await self._db.run(lambda c: reads.get_sequence(c, sequence_id), write=False)

    async def find_sequence(
        self, tenant_id: str, namespace: str, name: str, version: int | None = None
    ) -> SequenceRow | None:
        return await self._db.run(
            lambda c: reads.find_sequence(c, tenant_id, namespace, name, version), write=False
        )

    async def list_sequences(
        self,
        tenant_id: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[SequenceRow]:
        return await self._db.run(
            lambda c: reads.list_sequences(c, tenant_id, namespace, name, limit, offset),
            write=False,
        )

    # -- instances -------------------------------------------------------------------------------

    async def create_instances(
        self, rows: Sequence[InstanceRow], audits: Sequence[AuditRow]
    ) -> list[tuple[str, bool]]:
        return await self._db.run(lambda c: writes.create_instances(c, rows, audits))

    async def get_instance(self, instance_id: str) -> InstanceRow | None:
        return await self._db.run(lambda c: reads.get_instance(c, instance_id), write=False)

    async def list_instances(
        self, flt: InstanceFilter, limit: int = 100, offset: int = 0
    ) -> list[InstanceRow]:
        return await self._db.run(
            lambda c: reads.list_instances(c, flt, limit, offset), write=False
        )

    async def count_instances(self, flt: InstanceFilter) -> dict[str, int]:
        return await self._db.run(lambda c: reads.count_instances(c, flt), write=False)

    async def claim_due(self, now: int, limit: int, owner: str) -> list[InstanceBundle]:
        return await self._db.run(lambda c: writes.claim_due(c, now, limit, owner))

    async def load_bundle(self, instance_id: str) -> InstanceBundle | None:
        return await self._db.run(lambda c: reads.load_bundle(c, instance_id), write=False)

    async def commit(self, changeset: Changeset) -> CommitResult:
        try:
            return await self._db.run(lambda c: changes.commit(c, changeset))
        except ConflictError as exc:
            return CommitResult(False, changeset.expect_rev, reason=str(exc))

    async def next_fire_at(self, after: int | None = None) -> int | None:
        return await self._db.run(lambda c: reads.next_fire_at(c, after), write=False)

    # -- signals ---------------------------------------------------------------------------------

    async def enqueue_signal(self, row: SignalRow) -> str:
        return await self._db.run(lambda c: writes.enqueue_signal(c, row))

    async def signalled_instances(self, states: Sequence[str], limit: int) -> list[str]:
        return await self._db.run(
            lambda c: reads.signalled_instances(c, list(states), limit), write=False
        )

    # -- worker tasks ----------------------------------------------------------------------------

    async def claim_worker_tasks(
        self,
        handler_name: str,
        worker_id: str,
        limit: int,
        now: int,
        queue_name: str | None = None,
        tenant_id: str | None = None,
    ) -> list[WorkerTaskRow]:
        return await self._db.run(
            lambda c: writes.claim_worker_tasks(
                c, handler_name, worker_id, limit, now, queue_name, tenant_id
            )
        )

    async def get_worker_task(self, task_id: str) -> WorkerTaskRow | None:
        return await self._db.run(lambda c: reads.get_worker_task(c, task_id), write=False)

    async def heartbeat_worker_task(
        self, task_id: str, worker_id: str, claim_epoch: int | None, now: int
    ) -> WorkerTaskRow | None:
        return await self._db.run(
            lambda c: writes.heartbeat_worker_task(c, task_id, worker_id, claim_epoch, now)
        )

    async def reap_worker_tasks(
        self, now: int, stale_before: int
    ) -> tuple[list[str], list[WorkerTaskRow]]:
        return await self._db.run(lambda c: writes.reap_worker_tasks(c, now, stale_before))

    async def list_worker_tasks(
        self,
        state: str | None = None,
        handler_name: str | None = None,
        instance_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[WorkerTaskRow]:
        return await self._db.run(
            lambda c: reads.list_worker_tasks(c, state, handler_name, instance_id, limit, offset),
            write=False,
        )

    # -- reads for inspection --------------------------------------------------------------------

    async def get_outputs(self, instance_id: str) -> list[OutputRow]:
        return await self._db.run(lambda c: reads.get_outputs(c, instance_id), write=False)

    async def get_tree(self, instance_id: str) -> list[NodeRow]:
        return await self._db.run(lambda c: reads.get_tree(c, instance_id), write=False)

    async def get_audit(self, instance_id: str) -> list[AuditRow]:
        return await self._db.run(lambda c: reads.get_audit(c, instance_id), write=False)

    async def get_signals(self, instance_id: str, *, pending_only: bool = False) -> list[SignalRow]:
        return await self._db.run(
            lambda c: reads.get_signals(c, instance_id, pending_only), write=False
        )

    async def read_snapshot(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` on the committed snapshot (the analytics copy of an in-memory
        database, which no other connection can open)."""
        return await self._db.run(fn, write=False)

    async def get_kv(self, instance_id: str) -> dict[str, JSON]:
        return await self._db.run(lambda c: reads.get_kv(c, instance_id), write=False)

    async def save_progress(
        self, instance_id: str, key: str, value: JSON, now: int, audit: Sequence[AuditRow] = ()
    ) -> None:
        await self._db.run(
            lambda c: records.save_progress(c, instance_id, key, value, now, audit), write=True
        )

    # -- checkpoints and sessions ----------------------------------------------------------------

    async def save_checkpoint(self, row: CheckpointRow, audit: Sequence[AuditRow] = ()) -> None:
        await self._db.run(lambda c: records.save_checkpoint(c, row, audit), write=True)

    async def list_checkpoints(self, instance_id: str) -> list[CheckpointRow]:
        return await self._db.run(lambda c: records.list_checkpoints(c, instance_id), write=False)

    async def prune_checkpoints(
        self, instance_id: str, keep: int, audit: Sequence[AuditRow] = ()
    ) -> int:
        return await self._db.run(
            lambda c: records.prune_checkpoints(c, instance_id, keep, audit), write=True
        )

    async def create_session(self, row: SessionRow, audit: Sequence[AuditRow] = ()) -> None:
        await self._db.run(lambda c: records.create_session(c, row, audit), write=True)

    async def get_session(self, session_id: str) -> SessionRow | None:
        return await self._db.run(lambda c: records.get_session(c, session_id), write=False)

    async def find_session(self, tenant_id: str, key: str) -> SessionRow | None:
        return await self._db.run(lambda c: records.find_session(c, tenant_id, key), write=False)

    async def list_sessions(self, tenant_id: str, limit: int, offset: int) -> list[SessionRow]:
        return await self._db.run(
            lambda c: records.list_sessions(c, tenant_id, limit, offset), write=False
        )

    async def store_task_result(self, update: TaskUpdate, signal: SignalRow) -> bool:
        return await self._db.run(
            lambda c: changes.store_task_result(c, update, signal), write=True
        )

    async def set_rate_limit(
        self,
        tenant_id: str,
        key: str,
        max_count: int,
        window_ms: int,
        now: int,
        audit: Sequence[AuditRow] = (),
    ) -> None:
        await self._db.run(
            lambda c: records.set_rate_limit(c, tenant_id, key, max_count, window_ms, now, audit),
            write=True,
        )

    async def delete_rate_limit(
        self, tenant_id: str, key: str, audit: Sequence[AuditRow] = ()
    ) -> bool:
        return await self._db.run(
            lambda c: records.delete_rate_limit(c, tenant_id, key, audit), write=True
        )

    async def append_audit(self, audit: Sequence[AuditRow]) -> None:
        await self._db.run(lambda c: records.append_audit(c, audit), write=True)

    async def get_llm_record(self, key: str) -> dict[str, JSON] | None:
        return await self._db.run(lambda c: records.get_llm_record(c, key), write=False)

    async def put_llm_record(self, record: dict[str, JSON]) -> None:
        await self._db.run(lambda c: records.put_llm_record(c, record), write=True)

    async def list_rate_limits(self, tenant_id: str) -> list[dict[str, JSON]]:
        return await self._db.run(lambda c: records.list_rate_limits(c, tenant_id), write=False)

    async def acquire_rate(self, tenant_id: str, key: str, now: int) -> int | None:
        return await self._db.run(
            lambda c: records.acquire_rate(c, tenant_id, key, now), write=True
        )

    async def update_session(self, row: SessionRow, audit: Sequence[AuditRow] = ()) -> None:
        await self._db.run(lambda c: records.update_session(c, row, audit), write=True)

    # -- engine processes ------------------------------------------------------------------------

    async def register_node(self, node: NodeInfo) -> None:
        await self._db.run(lambda c: writes.register_node(c, node))

    async def heartbeat_node(self, node_id: str, now: int) -> None:
        sql = "UPDATE engine_nodes SET heartbeat_at = ? WHERE id = ?"
        await self._db.run(lambda c: c.execute(sql, (now, node_id)))

    async def remove_node(self, node_id: str) -> None:
        await self._db.run(lambda c: c.execute("DELETE FROM engine_nodes WHERE id = ?", (node_id,)))

    async def list_nodes(self) -> list[NodeInfo]:
        return await self._db.run(reads.list_nodes, write=False)

    async def release_instances(
        self,
        now: int,
        reason: str,
        *,
        owners: Sequence[str] | None = None,
        except_owners: Sequence[str] = (),
    ) -> list[str]:
        return await self._db.run(
            lambda c: writes.release_instances(c, now, reason, owners, except_owners)
        )


def _switch_to_wal(conn: sqlite3.Connection, budget_ms: int) -> None:
    """``journal_mode = WAL``, retried while another process holds the file.

    The switch needs an exclusive lock, and when several processes open a fresh file at
    once (two kernels, two engines) SQLite may report "database is locked" at once instead
    of waiting through the busy timeout; so wait and retry here, within the same budget.
    """
    waited_ms, delay_ms = 0, 5
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or waited_ms >= budget_ms:
                raise
        threading.Event().wait(delay_ms / 1000)
        waited_ms += delay_ms
        delay_ms = min(delay_ms * 2, 100)
