from datetime import UTC, datetime

import pytest

from orch8_nb.errors import InputValidationError
from orch8_nb.model import (
    IN_PROGRESS_REF,
    MAX_CONTEXT_BYTES,
    NODE_TERMINAL_STATES,
    RETRY_REF,
    AuditEntry,
    BlockOutput,
    BlockType,
    ExecutionContext,
    ExecutionNode,
    NodeState,
    WorkerTask,
    WorkerTaskState,
    datetime_to_ms,
    format_timestamp,
    ms_to_datetime,
    parse_timestamp,
)


def test_node_states_and_block_types() -> None:
    assert [s.value for s in NodeState] == [
        "pending", "running", "waiting", "completed", "failed", "cancelled", "skipped",
    ]  # fmt: skip
    assert {s.value for s in NODE_TERMINAL_STATES} == {
        "completed",
        "failed",
        "cancelled",
        "skipped",
    }
    assert [t.value for t in BlockType] == [
        "step", "parallel", "race", "loop", "for_each", "router", "try_catch",
        "sub_sequence", "ab_split", "cancellation_scope", "saga",
    ]  # fmt: skip
    assert (IN_PROGRESS_REF, RETRY_REF) == ("__in_progress__", "__retry__")


def test_execution_node_wire_shape() -> None:
    node = ExecutionNode(
        id="n1", instance_id="i1", block_id="b", block_type="parallel", branch_index=None
    )
    assert node.model_dump(mode="json") == {
        "id": "n1",
        "instance_id": "i1",
        "block_id": "b",
        "parent_id": None,
        "block_type": "parallel",
        "branch_index": None,
        "state": "pending",
        "started_at": None,
        "completed_at": None,
    }
    assert ExecutionNode.from_json(node.to_json()) == node
    with pytest.raises(InputValidationError) as info:
        ExecutionNode(id="n", instance_id="i", block_id="b", block_type="sleep", state="done")
    assert info.value.paths == ["block_type", "state"]


def test_block_output_round_trip() -> None:
    out = BlockOutput(
        id="o1",
        instance_id="i1",
        block_id="b",
        output={"ok": True},
        output_size=11,
        attempt=2,
        created_at=1_700_000_000_000,
    )
    assert out.model_dump(mode="json")["created_at"] == "2023-11-14T22:13:20Z"
    assert out.output_ref is None
    assert BlockOutput.from_json(out.to_json()) == out


def test_context_defaults_and_size() -> None:
    ctx = ExecutionContext()
    assert ctx.model_dump() == {"data": {}, "config": {}, "audit": [], "runtime": {}}
    assert ctx.size_bytes() == len('{"data":{},"config":{},"audit":[],"runtime":{}}')
    assert ExecutionContext(data={"é": "ü"}).size_bytes() == 47 + len('"é":"ü"'.encode())
    assert MAX_CONTEXT_BYTES == 262_144


def test_worker_task_every_field() -> None:
    task = WorkerTask(
        id="t1",
        instance_id="i1",
        block_id="send",
        handler_name="send_email",
        params={"to": "a@b"},
        created_at="2025-01-01T00:00:00Z",
    )
    wire = task.model_dump(mode="json")
    assert set(wire) == {
        "id", "instance_id", "block_id", "handler_name", "params", "context", "attempt",
        "timeout_ms", "state", "worker_id", "claimed_at", "heartbeat_at", "claim_epoch",
        "checkpoint_seq", "completed_at", "output", "error_message", "error_retryable",
        "created_at",
    }  # fmt: skip
    assert (task.state, task.claim_epoch, task.attempt) == (WorkerTaskState.PENDING, 0, 0)
    claimed = task.model_copy(update={"queue_name": "q", "resume_checkpoint": {"i": 3}})
    assert {"queue_name", "resume_checkpoint"} <= set(claimed.model_dump(mode="json"))
    assert WorkerTask.from_json(claimed.to_json()) == claimed
    assert [s.value for s in WorkerTaskState] == ["pending", "claimed", "completed", "failed"]


def test_audit_entry_omits_absent_states() -> None:
    entry = AuditEntry(
        id="a1",
        instance_id="i1",
        tenant_id="t",
        event_type="state_transition",
        from_state="scheduled",
        to_state="running",
        created_at="2025-01-01T00:00:00+00:00",
    )
    wire = entry.model_dump(mode="json")
    assert wire["details"] == {} and "block_id" not in wire
    assert AuditEntry.from_json(entry.to_json()) == entry


def test_timestamps() -> None:
    moment = datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert datetime_to_ms(moment) == 1_735_787_045_678
    assert ms_to_datetime(1_735_787_045_678) == moment
    assert format_timestamp(moment) == "2025-01-02T03:04:05.678000Z"
    assert parse_timestamp("2025-01-02T03:04:05.678Z") == moment
    assert parse_timestamp(1_735_787_045_678) == moment
    for bad in ["2025-01-02T03:04:05", datetime(2025, 1, 1), "yesterday", True, 1.5]:
        with pytest.raises(ValueError):
            parse_timestamp(bad)
    with pytest.raises(ValueError, match="no timezone"):
        datetime_to_ms(datetime(2025, 1, 1))
