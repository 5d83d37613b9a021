import json
from datetime import UTC, datetime
from typing import Any

import pytest

from orch8_nb.errors import InstanceValidationError
from orch8_nb.model import (
    ALLOWED_TRANSITIONS,
    TERMINAL_STATES,
    Budget,
    CreateInstanceRequest,
    ExecutionContext,
    InstanceState,
    Priority,
    TaskInstance,
    can_transition,
)

SEQ_ID = "0b9f7d1e-33a2-4c8e-9a51-6f0d2c1e5a77"
INST_ID = "7c1f1e02-8d3b-4c55-a7e4-2a6b7d9e0f11"

EXPECTED_TRANSITIONS = {
    "scheduled": {"running", "paused", "cancelled"},
    "running": {"scheduled", "waiting", "completed", "failed", "paused", "cancelled"},
    "waiting": {"running", "scheduled", "cancelled", "failed"},
    "paused": {"scheduled", "cancelled"},
    "completed": {"scheduled"},
    "failed": {"scheduled"},
    "cancelled": {"scheduled"},
}


def test_instance_states_and_terminal_set() -> None:
    assert [s.value for s in InstanceState] == [
        "scheduled", "running", "waiting", "paused", "completed", "failed", "cancelled",
    ]  # fmt: skip
    assert {s.value for s in TERMINAL_STATES} == {"completed", "failed", "cancelled"}


def test_transition_table_matches_orch8() -> None:
    assert {k.value: {v.value for v in vs} for k, vs in ALLOWED_TRANSITIONS.items()} == (
        EXPECTED_TRANSITIONS
    )


@pytest.mark.parametrize("current", list(EXPECTED_TRANSITIONS))
@pytest.mark.parametrize("target", list(EXPECTED_TRANSITIONS))
def test_can_transition_every_pair(current: str, target: str) -> None:
    assert can_transition(current, target) is (target in EXPECTED_TRANSITIONS[current])


def test_can_transition_rejects_unknown_state() -> None:
    with pytest.raises(ValueError):
        can_transition("running", "exploded")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, Priority.LOW),
        (3, Priority.CRITICAL),
        ("Normal", Priority.NORMAL),
        ("high", Priority.HIGH),
        ("CRITICAL", Priority.CRITICAL),
        (Priority.LOW, Priority.LOW),
    ],
)
def test_priority_parsing(value: object, expected: Priority) -> None:
    assert Priority.parse(value) is expected


@pytest.mark.parametrize("value", [4, -1, True, "urgent", 1.0, None])
def test_priority_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="priority must be"):
        Priority.parse(value)


def test_priority_order_and_wire_names() -> None:
    assert [int(p) for p in Priority] == [0, 1, 2, 3]
    assert [p.wire for p in Priority] == ["Low", "Normal", "High", "Critical"]
    assert Priority.CRITICAL > Priority.HIGH > Priority.NORMAL > Priority.LOW


def request(**fields: Any) -> dict[str, Any]:
    return {"sequence_id": SEQ_ID, "tenant_id": "t", "namespace": "ns", **fields}


def test_create_instance_request_defaults() -> None:
    req = CreateInstanceRequest.from_json(request())
    assert req.priority is Priority.NORMAL
    assert (req.timezone, req.metadata, req.dry_run, req.dry_run_auto_approve) == (
        "UTC", {}, False, False,
    )  # fmt: skip
    assert req.context == ExecutionContext()
    assert req.next_fire_at is None
    assert req.model_dump(mode="json") == {
        "sequence_id": SEQ_ID,
        "tenant_id": "t",
        "namespace": "ns",
        "priority": "Normal",
        "timezone": "UTC",
        "metadata": {},
        "context": {"data": {}, "config": {}, "audit": [], "runtime": {}},
        "dry_run": False,
        "dry_run_auto_approve": False,
    }


def test_create_instance_request_full_round_trip() -> None:
    req = CreateInstanceRequest.from_json(
        request(
            priority="high",
            context={"data": {"x": 1}, "config": {"holidays": []}},
            next_fire_at="2025-01-01T00:00:00Z",
            concurrency_key="user:1",
            max_concurrency=2,
            idempotency_key="abc",
            metadata={"cohort_key": "c"},
            budget={"max_steps": 10, "max_total_tokens": 0},
        )
    )
    text = req.to_json()
    assert json.loads(text)["priority"] == "High"
    assert json.loads(text)["budget"] == {"max_steps": 10, "max_total_tokens": 0}
    assert CreateInstanceRequest.from_json(text) == req


@pytest.mark.parametrize(
    ("fields", "paths"),
    [
        ({"concurrency_key": "k"}, ["max_concurrency"]),
        ({"max_concurrency": 3}, ["concurrency_key"]),
        ({"concurrency_key": "k", "max_concurrency": 0}, ["max_concurrency"]),
        ({"idempotency_key": ""}, ["idempotency_key"]),
        ({"priority": "urgent"}, ["priority"]),
        ({"context": {"data": []}}, ["context.data"]),
        ({"context": {"secrets": {}}}, ["context.secrets"]),
        ({"budget": {"max_steps": -1}}, ["budget.max_steps"]),
        ({"budget": {"max_pizzas": 1}}, ["budget.max_pizzas"]),
        ({"next_fire_at": "tomorrow"}, ["next_fire_at"]),
        ({"sequence_id": "nope"}, ["sequence_id"]),
        ({"metadata": []}, ["metadata"]),
        ({"extra": 1}, ["extra"]),
    ],
)
def test_create_instance_request_errors(fields: dict[str, Any], paths: list[str]) -> None:
    with pytest.raises(InstanceValidationError) as info:
        CreateInstanceRequest.from_json(request(**fields))
    assert info.value.paths == paths


def test_create_instance_request_required_fields() -> None:
    with pytest.raises(InstanceValidationError) as info:
        CreateInstanceRequest()
    assert info.value.paths == ["sequence_id", "tenant_id", "namespace"]


def test_task_instance_wire_shape() -> None:
    inst = TaskInstance(
        id=INST_ID,
        sequence_id=SEQ_ID,
        tenant_id="t",
        namespace="ns",
        state="running",
        priority=2,
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        updated_at=1735689600500,  # epoch ms, as storage keeps it
    )
    wire = inst.model_dump(mode="json")
    assert wire == {
        "id": INST_ID,
        "sequence_id": SEQ_ID,
        "tenant_id": "t",
        "namespace": "ns",
        "state": "running",
        "next_fire_at": None,
        "priority": "High",
        "timezone": "UTC",
        "metadata": {},
        "context": {"data": {}, "config": {}, "audit": [], "runtime": {}},
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-01T00:00:00.500000Z",
    }
    assert TaskInstance.from_json(inst.to_json()) == inst
    assert inst.priority is Priority.HIGH


def test_budget_all_fields_optional() -> None:
    assert Budget().model_dump(mode="json") == {}
    assert len(Budget.model_fields) == 10
