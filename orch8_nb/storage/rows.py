"""Plain row records exchanged between the engine and a storage backend.

These are deliberately not pydantic models: they sit on the hot path (one per step) and are
built from validated data, so they carry no validation cost. JSON columns hold decoded
Python values; backends encode them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = Any


@dataclass(slots=True)
class SequenceRow:
    id: str
    tenant_id: str
    namespace: str
    name: str
    version: int
    definition: dict[str, JSON]
    fingerprint: str
    deprecated: bool
    status: str
    created_at: int


@dataclass(slots=True)
class InstanceRow:
    id: str
    sequence_id: str
    tenant_id: str
    namespace: str
    state: str
    next_fire_at: int | None
    priority: int
    timezone: str
    metadata: dict[str, JSON]
    context_data: dict[str, JSON]
    context_config: dict[str, JSON]
    context_audit: list[JSON]
    context_runtime: dict[str, JSON]
    concurrency_key: str | None
    max_concurrency: int | None
    idempotency_key: str | None
    session_id: str | None
    parent_instance_id: str | None
    budget: dict[str, JSON] | None
    created_at: int
    updated_at: int
    rev: int = 0
    lease_owner: str | None = None


#: Instance columns a changeset may update (besides ``rev`` and ``updated_at``).
INSTANCE_UPDATABLE = frozenset(
    {
        "state",
        "next_fire_at",
        "priority",
        "metadata",
        "context_data",
        "context_config",
        "context_audit",
        "context_runtime",
        "lease_owner",
        "sequence_id",
        "budget",
        "session_id",
    }
)
INSTANCE_JSON_COLUMNS = frozenset(
    {"metadata", "context_data", "context_config", "context_audit", "context_runtime", "budget"}
)


@dataclass(slots=True)
class NodeRow:
    id: str
    instance_id: str
    block_id: str
    parent_id: str | None
    block_type: str
    branch_index: int | None
    position: int
    state: str
    started_at: int | None = None
    completed_at: int | None = None


@dataclass(slots=True)
class OutputRow:
    id: str
    instance_id: str
    block_id: str
    output: JSON
    output_ref: str | None
    output_size: int
    attempt: int
    created_at: int
    seq: int = 0  # assigned by the backend; orders rows of one instance
    #: ``output`` already encoded as compact JSON, when the engine has it (saves a dumps).
    encoded: str | None = None


@dataclass(slots=True)
class SignalRow:
    id: str
    instance_id: str
    signal_type: str  # DB encoding: "pause", ..., "custom:<name>"
    payload: JSON
    created_at: int
    delivered: bool = False
    delivered_at: int | None = None


@dataclass(slots=True)
class WorkerTaskRow:
    id: str
    instance_id: str
    tenant_id: str
    block_id: str
    handler_name: str
    queue_name: str | None
    params: JSON
    context: JSON
    attempt: int
    timeout_ms: int | None
    state: str
    created_at: int
    worker_id: str | None = None
    claimed_at: int | None = None
    heartbeat_at: int | None = None
    claim_epoch: int = 0
    resume_checkpoint: JSON = None
    checkpoint_seq: int = 0
    completed_at: int | None = None
    output: JSON = None
    error_message: str | None = None
    error_retryable: bool | None = None


@dataclass(slots=True)
class AuditRow:
    id: str
    instance_id: str | None
    tenant_id: str
    event_type: str
    from_state: str | None
    to_state: str | None
    block_id: str | None
    details: JSON
    created_at: int
    seq: int = 0


@dataclass(slots=True)
class NodeUpdate:
    node_id: str
    state: str
    started_at: int | None
    completed_at: int | None


@dataclass(slots=True)
class TaskUpdate:
    """Compare-and-swap on a worker task: applies only if state and epoch still match."""

    task_id: str
    expect_state: str
    expect_epoch: int | None
    values: dict[str, JSON]


@dataclass(slots=True)
class OutputPrune:
    """Iteration compaction: delete the rows of ``block_ids`` written before the row of
    ``anchor`` that is ``skip`` rows back from its newest (``skip < 0``: delete them all).
    Nothing is deleted while ``anchor`` has fewer rows than that."""

    anchor: str
    skip: int
    block_ids: list[str]


@dataclass(slots=True)
class Changeset:
    """Everything one engine decision writes, applied atomically or not at all.

    ``expect_rev`` is the instance revision the decision was based on; if the stored row
    has moved on (another engine, a concurrent worker completion) nothing is written and the
    commit reports a conflict. ``instance`` holds the columns to change; ``rev`` and
    ``updated_at`` are bumped by the backend.
    """

    instance_id: str
    expect_rev: int
    now: int
    instance: dict[str, JSON] = field(default_factory=dict)
    expect_state: str | None = None
    audit: list[AuditRow] = field(default_factory=list)
    nodes_insert: list[NodeRow] = field(default_factory=list)
    nodes_update: list[NodeUpdate] = field(default_factory=list)
    nodes_delete: bool = False  # drop the whole tree before inserting (retry, rebuild)
    outputs: list[OutputRow] = field(default_factory=list)
    #: Applied after ``outputs`` are inserted (``retain_iterations``).
    outputs_prune: list[OutputPrune] = field(default_factory=list)
    signals_delivered: list[str] = field(default_factory=list)
    tasks_insert: list[WorkerTaskRow] = field(default_factory=list)
    tasks_update: list[TaskUpdate] = field(default_factory=list)
    tasks_delete_pending: bool = False
    #: Pending worker tasks to withdraw; a task already claimed fails the changeset.
    tasks_withdraw: list[str] = field(default_factory=list)
    #: Blocks whose pending worker tasks are dropped (race losers, closed branches).
    tasks_drop_blocks: list[str] = field(default_factory=list)
    kv_set: dict[str, JSON] = field(default_factory=dict)
    kv_delete: list[str] = field(default_factory=list)
    #: New instances started by this decision (sub-sequence children, ``scheduled``).
    instances_insert: list[InstanceRow] = field(default_factory=list)
    #: Signals for *other* instances (a child's result to its parent, a cancel to a
    #: child); one whose target is gone or terminal is dropped, not an error.
    signals_send: list[SignalRow] = field(default_factory=list)
    #: Also report whether undelivered signals wait (costs a query; runners ask now and then).
    check_signals: bool = True
    #: The decision creates its own instance (a fork): the row is inserted, with the rest
    #: of the changeset, instead of compared-and-swapped.
    create: InstanceRow | None = None


@dataclass(slots=True)
class CommitResult:
    ok: bool
    rev: int  # the instance revision after the commit (unchanged on conflict)
    pending_signals: bool = False  # undelivered signals wait for this instance
    reason: str = ""


@dataclass(slots=True)
class InstanceBundle:
    """What the evaluator needs to advance one instance, read in one round trip."""

    instance: InstanceRow
    nodes: list[NodeRow]
    outputs: dict[str, OutputRow]  # latest real output per block id
    attempts: dict[str, OutputRow]  # latest row of any kind per block id (retry markers)
    signals: list[SignalRow]  # undelivered, oldest first
    kv: dict[str, JSON]


@dataclass(slots=True)
class InstanceFilter:
    tenant_id: str | None = None
    namespace: str | None = None
    sequence_id: str | None = None
    states: tuple[str, ...] = ()
    parent_instance_id: str | None = None
    metadata: dict[str, JSON] = field(default_factory=dict)
    session_id: str | None = None


@dataclass(slots=True)
class CheckpointRow:
    id: str
    instance_id: str
    checkpoint_data: JSON
    created_at: int
    seq: int = 0


@dataclass(slots=True)
class SessionRow:
    id: str
    tenant_id: str
    session_key: str
    data: dict[str, JSON]
    state: str  # active | paused | completed | expired
    created_at: int
    updated_at: int
    expires_at: int | None = None


@dataclass(slots=True)
class NodeInfo:
    id: str
    hostname: str
    pid: int
    started_at: int
    heartbeat_at: int
