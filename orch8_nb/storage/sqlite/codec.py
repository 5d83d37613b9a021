"""Row <-> SQLite tuple conversion. JSON is compact text; booleans are 0/1."""

from __future__ import annotations

import json
from typing import Any

from orch8_nb.storage.rows import (
    AuditRow,
    InstanceRow,
    NodeRow,
    OutputRow,
    SequenceRow,
    SignalRow,
    WorkerTaskRow,
)

_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
dumps = _encoder.encode
loads = json.loads


def dumps_opt(value: Any) -> str | None:
    return None if value is None else dumps(value)


def loads_opt(text: str | None) -> Any:
    return None if text is None else loads(text)


SEQUENCE_COLS = (
    "id, tenant_id, namespace, name, version, definition, fingerprint, deprecated, status, "
    "created_at"
)


def sequence_params(r: SequenceRow) -> tuple[Any, ...]:
    return (
        r.id, r.tenant_id, r.namespace, r.name, r.version, dumps(r.definition),
        r.fingerprint, int(r.deprecated), r.status, r.created_at,
    )  # fmt: skip


def sequence_row(t: Any) -> SequenceRow:
    return SequenceRow(t[0], t[1], t[2], t[3], t[4], loads(t[5]), t[6], bool(t[7]), t[8], t[9])


INSTANCE_COLS = (
    "id, sequence_id, tenant_id, namespace, state, next_fire_at, priority, timezone, metadata, "
    "context_data, context_config, context_audit, context_runtime, concurrency_key, "
    "max_concurrency, idempotency_key, session_id, parent_instance_id, budget, created_at, "
    "updated_at, rev, lease_owner"
)


def instance_params(r: InstanceRow) -> tuple[Any, ...]:
    return (
        r.id, r.sequence_id, r.tenant_id, r.namespace, r.state, r.next_fire_at, r.priority,
        r.timezone, dumps(r.metadata), dumps(r.context_data), dumps(r.context_config),
        dumps(r.context_audit), dumps(r.context_runtime), r.concurrency_key, r.max_concurrency,
        r.idempotency_key, r.session_id, r.parent_instance_id, dumps_opt(r.budget),
        r.created_at, r.updated_at, r.rev, r.lease_owner,
    )  # fmt: skip


def instance_row(t: Any) -> InstanceRow:
    return InstanceRow(
        t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], loads(t[8]), loads(t[9]), loads(t[10]),
        loads(t[11]), loads(t[12]), t[13], t[14], t[15], t[16], t[17], loads_opt(t[18]), t[19],
        t[20], t[21], t[22],
    )  # fmt: skip


NODE_COLS = (
    "id, instance_id, block_id, parent_id, block_type, branch_index, position, state, "
    "started_at, completed_at"
)


def node_params(r: NodeRow) -> tuple[Any, ...]:
    return (
        r.id, r.instance_id, r.block_id, r.parent_id, r.block_type, r.branch_index, r.position,
        r.state, r.started_at, r.completed_at,
    )  # fmt: skip


def node_row(t: Any) -> NodeRow:
    return NodeRow(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9])


OUTPUT_COLS = "id, instance_id, block_id, output, output_ref, output_size, attempt, created_at, seq"


def output_params(r: OutputRow) -> tuple[Any, ...]:
    return (
        r.id, r.instance_id, r.block_id, r.encoded if r.encoded is not None else dumps(r.output),
        r.output_ref, r.output_size,
        r.attempt, r.created_at,
    )  # fmt: skip


def output_row(t: Any) -> OutputRow:
    return OutputRow(t[0], t[1], t[2], loads_opt(t[3]), t[4], t[5], t[6], t[7], t[8])


SIGNAL_COLS = "id, instance_id, signal_type, payload, created_at, delivered, delivered_at"


def signal_params(r: SignalRow) -> tuple[Any, ...]:
    return (
        r.id, r.instance_id, r.signal_type, dumps(r.payload), r.created_at, int(r.delivered),
        r.delivered_at,
    )  # fmt: skip


def signal_row(t: Any) -> SignalRow:
    return SignalRow(t[0], t[1], t[2], loads(t[3]), t[4], bool(t[5]), t[6])


TASK_COLS = (
    "id, instance_id, tenant_id, block_id, handler_name, queue_name, params, context, attempt, "
    "timeout_ms, state, created_at, worker_id, claimed_at, heartbeat_at, claim_epoch, "
    "resume_checkpoint, checkpoint_seq, completed_at, output, error_message, error_retryable"
)
TASK_JSON_COLUMNS = frozenset({"params", "context", "resume_checkpoint", "output"})


def task_params(r: WorkerTaskRow) -> tuple[Any, ...]:
    return (
        r.id, r.instance_id, r.tenant_id, r.block_id, r.handler_name, r.queue_name,
        dumps(r.params), dumps(r.context), r.attempt, r.timeout_ms, r.state, r.created_at,
        r.worker_id, r.claimed_at, r.heartbeat_at, r.claim_epoch,
        dumps_opt(r.resume_checkpoint), r.checkpoint_seq, r.completed_at, dumps_opt(r.output),
        r.error_message, None if r.error_retryable is None else int(r.error_retryable),
    )  # fmt: skip


def task_row(t: Any) -> WorkerTaskRow:
    return WorkerTaskRow(
        t[0], t[1], t[2], t[3], t[4], t[5], loads(t[6]), loads(t[7]), t[8], t[9], t[10], t[11],
        t[12], t[13], t[14], t[15], loads_opt(t[16]), t[17], t[18], loads_opt(t[19]), t[20],
        None if t[21] is None else bool(t[21]),
    )  # fmt: skip


AUDIT_COLS = (
    "id, instance_id, tenant_id, event_type, from_state, to_state, block_id, details, "
    "created_at, seq"
)


def audit_params(r: AuditRow) -> tuple[Any, ...]:
    return (
        r.id, r.instance_id, r.tenant_id, r.event_type, r.from_state, r.to_state, r.block_id,
        dumps(r.details), r.created_at,
    )  # fmt: skip


def audit_row(t: Any) -> AuditRow:
    return AuditRow(t[0], t[1], t[2], t[3], t[4], t[5], t[6], loads(t[7]), t[8], t[9])


def placeholders(n: int) -> str:
    return ",".join("?" * n)
