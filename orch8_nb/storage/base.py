"""The storage protocol: rows and transactions, no workflow semantics.

Every method is one transaction and one round trip to the database. The engine decides
*what* to write (a :class:`~orch8_nb.storage.rows.Changeset`); the backend only makes it
atomic and guards it with compare-and-swap. That split is what lets a PostgreSQL backend
(claims with ``FOR UPDATE SKIP LOCKED``, several engine processes) slot in without changing
the engine.

Backends advertise optional abilities as :class:`Capabilities` flags; conformance tests skip
on flags, never on backend names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

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


@dataclass(frozen=True, slots=True)
class Capabilities:
    multi_process: bool  # several engine processes may share the database
    durable: bool  # data survives the process (False for in-memory SQLite)


@runtime_checkable
class Storage(Protocol):
    """What the engine needs from a database. All times are integer epoch milliseconds."""

    url: str
    capabilities: Capabilities

    async def open(self) -> None:
        """Connect and apply pending schema migrations (each in its own transaction)."""

    async def close(self) -> None:
        """Finish queued work and disconnect. Idempotent."""

    async def schema_version(self) -> int:
        """The highest applied migration number."""

    # -- sequences -------------------------------------------------------------------------------

    async def register_sequence(
        self, row: SequenceRow, *, explicit_version: bool
    ) -> tuple[SequenceRow, bool]:
        """Create-or-get a sequence version; returns ``(stored_row, created)``.

        With ``explicit_version`` the row's version is used: an existing row with the same
        fingerprint is returned; a different one raises ``ConflictError`` (versions are
        immutable). Without it, the latest version of ``(tenant, namespace, name)`` is
        returned if its fingerprint matches, else the row is inserted as latest + 1.
        One transaction, so two engines registering at once cannot both insert.
        """

    async def get_sequence(self, sequence_id: str) -> SequenceRow | None:
        """One sequence version by id."""

    async def deprecate_sequence(self, sequence_id: str, deprecated: bool = True) -> SequenceRow:
        """Mark a version (un)deprecated: lookups by name skip deprecated versions, running
        instances keep theirs. ``NotFoundError`` for an unknown id."""

    async def delete_sequence(
        self, sequence_id: str, *, purge: bool = False, audit: Sequence[AuditRow] = ()
    ) -> int:
        """Delete a version, with ``audit``, in one transaction; returns how many (finished)
        instances were deleted with it.

        ``NotFoundError`` for an unknown id. ``ConflictError`` while an instance of the
        version is unfinished (scheduled, running, waiting, paused), and, unless ``purge``,
        while any finished one still references it. With ``purge`` those finished instances
        go too (tree, outputs, signals, tasks, KV, checkpoints); audit rows are kept.
        """

    async def find_sequence(
        self, tenant_id: str, namespace: str, name: str, version: int | None = None
    ) -> SequenceRow | None:
        """An exact version, or the latest non-deprecated one when ``version`` is None."""

    async def list_sequences(
        self,
        tenant_id: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[SequenceRow]:
        """Sequences ordered by name then version."""

    # -- instances -------------------------------------------------------------------------------

    async def create_instances(
        self, rows: Sequence[InstanceRow], audits: Sequence[AuditRow]
    ) -> list[tuple[str, bool]]:
        """Insert instances and their audit rows in one transaction.

        Returns ``(id, deduplicated)`` per row: a row whose ``(tenant_id, idempotency_key)``
        already exists is not inserted and the existing id is returned with ``True`` (its
        audit rows, matched by ``instance_id``, are dropped too).
        """

    async def get_instance(self, instance_id: str) -> InstanceRow | None: ...

    async def list_instances(
        self, flt: InstanceFilter, limit: int = 100, offset: int = 0
    ) -> list[InstanceRow]:
        """Newest first (``created_at DESC, id``)."""

    async def count_instances(self, flt: InstanceFilter) -> dict[str, int]:
        """Matching instances counted per state."""

    async def claim_due(self, now: int, limit: int, owner: str) -> list[InstanceBundle]:
        """Atomically move due ``scheduled`` instances to ``running`` and load them.

        Due means ``next_fire_at IS NULL OR next_fire_at <= now``; order is priority
        (highest first) then fire time. Instances whose ``concurrency_key`` already has
        ``max_concurrency`` running instances stay scheduled. Each claimed row gets
        ``lease_owner = owner``, a bumped ``rev`` and a ``state_transition`` audit row. The
        returned bundles include
        the tree, the latest outputs, pending signals and the KV state.
        """

    async def load_bundle(self, instance_id: str) -> InstanceBundle | None:
        """The same data as a claim returns, without claiming."""

    async def commit(self, changeset: Changeset) -> CommitResult:
        """Apply a changeset atomically, guarded by ``expect_rev`` (and ``expect_state``).

        On a lost compare-and-swap nothing is written and ``ok`` is False. Worker-task
        updates are compare-and-swaps too; a lost one fails the whole changeset. With
        ``check_signals`` the result also tells whether undelivered signals wait for the
        instance, so a running engine notices signals from other processes cheaply.
        Child instances (``instances_insert``) and signals to other instances
        (``signals_send``, dropped when the target is terminal) commit in the same unit.
        With ``create`` the changeset inserts its instance instead (a fork, whole at once).
        """

    async def next_fire_at(self, after: int | None = None) -> int | None:
        """Earliest ``next_fire_at`` among scheduled instances (the timer wheel's head);
        with ``after``, the earliest one later than that (the next timer to come)."""

    # -- signals ---------------------------------------------------------------------------------

    async def enqueue_signal(self, row: SignalRow) -> str:
        """Insert a signal unless the instance is terminal; returns the instance state.

        Raises ``NotFoundError`` for an unknown instance and ``InvalidTransitionError``
        when it is completed, failed or cancelled. The check and the insert are atomic.
        """

    async def signalled_instances(self, states: Sequence[str], limit: int) -> list[str]:
        """Ids of instances in ``states`` that have undelivered signals."""

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
        """Claim the oldest pending tasks: state ``claimed``, worker, times, epoch + 1."""

    async def get_worker_task(self, task_id: str) -> WorkerTaskRow | None: ...

    async def heartbeat_worker_task(
        self, task_id: str, worker_id: str, claim_epoch: int | None, now: int
    ) -> WorkerTaskRow | None:
        """Record a heartbeat of the worker holding the task's claim (and, when given, at
        that ``claim_epoch``); the task, or ``None`` when the lease is not the worker's."""

    async def reap_worker_tasks(
        self, now: int, stale_before: int
    ) -> tuple[list[str], list[WorkerTaskRow]]:
        """Claimed tasks whose last heartbeat is older than ``stale_before`` go back to
        ``pending`` (their ids are returned first); claimed tasks past their
        ``timeout_ms`` are returned second, for the engine to fail."""

    async def list_worker_tasks(
        self,
        state: str | None = None,
        handler_name: str | None = None,
        instance_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[WorkerTaskRow]: ...

    # -- reads for inspection --------------------------------------------------------------------

    async def get_outputs(self, instance_id: str) -> list[OutputRow]:
        """All output rows of an instance, oldest first (append-only history)."""

    async def get_tree(self, instance_id: str) -> list[NodeRow]:
        """Execution-tree nodes in tree order."""

    async def get_audit(self, instance_id: str) -> list[AuditRow]:
        """Audit rows of an instance, oldest first."""

    async def get_signals(self, instance_id: str, *, pending_only: bool = False) -> list[SignalRow]:
        """Signals of the instance, oldest first; only undelivered ones with ``pending_only``."""

    async def get_kv(self, instance_id: str) -> dict[str, JSON]: ...

    async def save_progress(
        self, instance_id: str, key: str, value: JSON, now: int, audit: Sequence[AuditRow] = ()
    ) -> None:
        """Write one instance KV entry (with ``audit``) at once, in its own transaction: a
        long handler's checkpoint, kept even if the process dies before the step commits.
        ``NotFoundError`` for an unknown instance."""

    # -- checkpoints and sessions ----------------------------------------------------------------

    async def save_checkpoint(self, row: CheckpointRow, audit: Sequence[AuditRow] = ()) -> None:
        """Append a checkpoint (with ``audit``, one transaction); ``NotFoundError`` for an
        unknown instance."""

    async def list_checkpoints(self, instance_id: str) -> list[CheckpointRow]:
        """Checkpoints of an instance, oldest first."""

    async def prune_checkpoints(
        self, instance_id: str, keep: int, audit: Sequence[AuditRow] = ()
    ) -> int:
        """Delete all but the newest ``keep``; returns how many were deleted."""

    async def create_session(self, row: SessionRow, audit: Sequence[AuditRow] = ()) -> None:
        """Insert a session; ``ConflictError`` if the tenant has one with that key."""

    async def get_session(self, session_id: str) -> SessionRow | None: ...

    async def find_session(self, tenant_id: str, key: str) -> SessionRow | None: ...

    async def list_sessions(self, tenant_id: str, limit: int, offset: int) -> list[SessionRow]:
        """Newest first."""

    async def store_task_result(self, update: TaskUpdate, signal: SignalRow) -> bool:
        """Keep a worker's result with its task (compare-and-swap on the task only) and
        queue ``signal`` for its instance unless that has ended; False if the task moved
        on. Used while another engine decision holds the instance."""

    async def set_rate_limit(
        self,
        tenant_id: str,
        key: str,
        max_count: int,
        window_ms: int,
        now: int,
        audit: Sequence[AuditRow] = (),
    ) -> None:
        """Create or change a fixed-window limit (a change starts a fresh window)."""

    async def delete_rate_limit(
        self, tenant_id: str, key: str, audit: Sequence[AuditRow] = ()
    ) -> bool: ...

    async def append_audit(self, audit: Sequence[AuditRow]) -> None:
        """Audit rows about no single change (an operator's action on engine state)."""

    async def get_llm_record(self, key: str) -> dict[str, JSON] | None:
        """A recorded model answer ``{key, provider, model, request, response,
        recorded_at}``, or ``None``."""

    async def put_llm_record(self, record: dict[str, JSON]) -> None:
        """Store (or replace) a recorded model answer shaped as :meth:`get_llm_record`."""

    async def list_rate_limits(self, tenant_id: str) -> list[dict[str, JSON]]:
        """``{resource_key, max_count, window_ms, window_start, used}`` per limit."""

    async def acquire_rate(self, tenant_id: str, key: str, now: int) -> int | None:
        """Atomically take one unit: ``None`` if granted (or unlimited), else when the
        current window ends."""

    async def update_session(self, row: SessionRow, audit: Sequence[AuditRow] = ()) -> None:
        """Write data, state, updated_at and expires_at; ``NotFoundError`` if unknown."""

    # -- engine processes ------------------------------------------------------------------------

    async def register_node(self, node: NodeInfo) -> None:
        """Announce a live engine process (upsert)."""

    async def heartbeat_node(self, node_id: str, now: int) -> None: ...

    async def remove_node(self, node_id: str) -> None: ...

    async def list_nodes(self) -> list[NodeInfo]: ...

    async def release_instances(
        self,
        now: int,
        reason: str,
        *,
        owners: Sequence[str] | None = None,
        except_owners: Sequence[str] = (),
    ) -> list[str]:
        """Return ``running`` instances to ``scheduled`` (recovery, shutdown).

        Selects instances leased by ``owners`` (None = any owner) except those leased by
        ``except_owners``. One transaction: clears the lease, bumps ``rev``, writes a
        ``state_transition`` audit row per instance with ``details.reason``. Returns the
        released ids.
        """
