"""Storage rows to the wire models users and the REST API see."""

from __future__ import annotations

from orch8_nb.model import AuditEntry, BlockOutput, ExecutionNode, TaskInstance, WorkerTask
from orch8_nb.storage.rows import AuditRow, InstanceRow, NodeRow, OutputRow, WorkerTaskRow


def instance_model(r: InstanceRow) -> TaskInstance:
    return TaskInstance.model_validate(
        {
            "id": r.id,
            "sequence_id": r.sequence_id,
            "tenant_id": r.tenant_id,
            "namespace": r.namespace,
            "state": r.state,
            "next_fire_at": r.next_fire_at,
            "priority": r.priority,
            "timezone": r.timezone,
            "metadata": r.metadata,
            "context": {
                "data": r.context_data,
                "config": r.context_config,
                "audit": r.context_audit,
                "runtime": r.context_runtime,
            },
            "concurrency_key": r.concurrency_key,
            "max_concurrency": r.max_concurrency,
            "idempotency_key": r.idempotency_key,
            "session_id": r.session_id,
            "parent_instance_id": r.parent_instance_id,
            "budget": r.budget,
            "created_at": r.created_at,
            "updated_at": r.updated_at,
        }
    )


def node_model(r: NodeRow) -> ExecutionNode:
    return ExecutionNode.model_validate(
        {
            "id": r.id,
            "instance_id": r.instance_id,
            "block_id": r.block_id,
            "parent_id": r.parent_id,
            "block_type": r.block_type,
            "branch_index": r.branch_index,
            "state": r.state,
            "started_at": r.started_at,
            "completed_at": r.completed_at,
        }
    )


def output_model(r: OutputRow) -> BlockOutput:
    return BlockOutput.model_validate(
        {
            "id": r.id,
            "instance_id": r.instance_id,
            "block_id": r.block_id,
            "output": r.output,
            "output_ref": r.output_ref,
            "output_size": max(r.output_size, 0),
            "attempt": r.attempt,
            "created_at": r.created_at,
        }
    )


def audit_model(r: AuditRow) -> AuditEntry:
    return AuditEntry.model_validate(
        {
            "id": r.id,
            "instance_id": r.instance_id or "",
            "tenant_id": r.tenant_id,
            "event_type": r.event_type,
            "from_state": r.from_state,
            "to_state": r.to_state,
            "block_id": r.block_id,
            "details": r.details,
            "created_at": r.created_at,
        }
    )


def task_model(r: WorkerTaskRow) -> WorkerTask:
    ctx = r.context if isinstance(r.context, dict) else {}
    return WorkerTask.model_validate(
        {
            "id": r.id,
            "instance_id": r.instance_id,
            "block_id": r.block_id,
            "handler_name": r.handler_name,
            "queue_name": r.queue_name,
            "params": r.params,
            "context": {
                k: v for k, v in ctx.items() if k in ("data", "config", "audit", "runtime")
            },
            "attempt": r.attempt,
            "timeout_ms": r.timeout_ms,
            "state": r.state,
            "worker_id": r.worker_id,
            "claimed_at": r.claimed_at,
            "heartbeat_at": r.heartbeat_at,
            "claim_epoch": r.claim_epoch,
            "resume_checkpoint": r.resume_checkpoint,
            "checkpoint_seq": r.checkpoint_seq,
            "completed_at": r.completed_at,
            "output": r.output,
            "error_message": r.error_message,
            "error_retryable": r.error_retryable,
            "created_at": r.created_at,
        }
    )
