"""Instances: lifecycle states and transitions, budgets, the instance record and requests."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import Field, model_validator

from orch8_nb.errors import InstanceValidationError, Problem
from orch8_nb.model._base import WireModel, reject_all
from orch8_nb.model._types import NonEmptyText, NonNegativeInt, PositiveInt, StrictBoolean
from orch8_nb.model._types import UuidText as _UuidText
from orch8_nb.model.context import ExecutionContext
from orch8_nb.model.priority import Priority, PriorityField
from orch8_nb.model.timestamps import Timestamp

__all__ = [
    "ALLOWED_TRANSITIONS",
    "TERMINAL_STATES",
    "Budget",
    "CreateInstanceRequest",
    "InstanceState",
    "Priority",
    "TaskInstance",
    "can_transition",
]


class InstanceState(StrEnum):
    """Lifecycle state of an instance."""

    SCHEDULED = "scheduled"  # due at next_fire_at, waiting to be claimed
    RUNNING = "running"  # claimed by an engine and advancing
    WAITING = "waiting"  # blocked on a worker, human input, child or timer
    PAUSED = "paused"  # stopped by a pause signal or a budget breach
    COMPLETED = "completed"  # finished successfully
    FAILED = "failed"  # finished with an error
    CANCELLED = "cancelled"  # stopped by a cancel signal


TERMINAL_STATES: frozenset[InstanceState] = frozenset(
    {InstanceState.COMPLETED, InstanceState.FAILED, InstanceState.CANCELLED}
)

_S = InstanceState
# Terminal states may only go back to scheduled: DLQ retry and resume-from-block surgery.
ALLOWED_TRANSITIONS: dict[InstanceState, frozenset[InstanceState]] = {
    _S.SCHEDULED: frozenset({_S.RUNNING, _S.PAUSED, _S.CANCELLED}),
    _S.RUNNING: frozenset(
        {_S.SCHEDULED, _S.WAITING, _S.COMPLETED, _S.FAILED, _S.PAUSED, _S.CANCELLED}
    ),
    _S.WAITING: frozenset({_S.RUNNING, _S.SCHEDULED, _S.CANCELLED, _S.FAILED}),
    _S.PAUSED: frozenset({_S.SCHEDULED, _S.CANCELLED}),
    _S.COMPLETED: frozenset({_S.SCHEDULED}),
    _S.FAILED: frozenset({_S.SCHEDULED}),
    _S.CANCELLED: frozenset({_S.SCHEDULED}),
}


def can_transition(current: InstanceState | str, target: InstanceState | str) -> bool:
    """Whether an instance may move from ``current`` to ``target`` (Orch8's table)."""
    return InstanceState(target) in ALLOWED_TRANSITIONS[InstanceState(current)]


class Budget(WireModel):
    """Resource limits checked before each claim; a breach pauses the instance."""

    omit_none_fields: ClassVar[frozenset[str] | None] = None

    max_input_tokens: NonNegativeInt | None = Field(None, description="LLM input tokens.")
    max_output_tokens: NonNegativeInt | None = Field(None, description="LLM output tokens.")
    max_total_tokens: NonNegativeInt | None = Field(None, description="LLM tokens in total.")
    max_steps: NonNegativeInt | None = Field(None, description="Steps executed.")
    max_cost_microunits: NonNegativeInt | None = Field(None, description="Cost, in micro-units.")
    max_wall_time_ms: NonNegativeInt | None = Field(None, description="Wall-clock time, ms.")
    max_external_calls: NonNegativeInt | None = Field(None, description="Outbound calls.")
    max_bytes_transferred: NonNegativeInt | None = Field(None, description="Bytes moved.")
    max_energy_millijoules: NonNegativeInt | None = Field(None, description="Energy used.")
    max_attention_units: NonNegativeInt | None = Field(None, description="Human attention.")


class TaskInstance(WireModel):
    """One run of a sequence, as the REST API shows it."""

    error_class = InstanceValidationError
    omit_none_fields: ClassVar[frozenset[str] | None] = frozenset(
        {
            "concurrency_key",
            "max_concurrency",
            "idempotency_key",
            "session_id",
            "parent_instance_id",
            "budget",
        }
    )

    id: _UuidText = Field(description="Instance id.")
    sequence_id: _UuidText = Field(description="The sequence version it runs.")
    tenant_id: NonEmptyText = Field(description="Owning tenant.")
    namespace: NonEmptyText = Field(description="Namespace within the tenant.")
    state: InstanceState = Field(InstanceState.SCHEDULED, description="Lifecycle state.")
    next_fire_at: Timestamp | None = Field(None, description="When it is next due.")
    priority: PriorityField = Field(Priority.NORMAL, description="Claim priority.")
    timezone: NonEmptyText = Field("UTC", description="IANA zone for windows and local times.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form JSON.")
    context: ExecutionContext = Field(
        default_factory=ExecutionContext, description="Data, config, audit and runtime."
    )
    concurrency_key: NonEmptyText | None = Field(None, description="Concurrency group.")
    max_concurrency: PositiveInt | None = Field(None, description="Group's running limit.")
    idempotency_key: NonEmptyText | None = Field(None, description="Deduplication key.")
    session_id: _UuidText | None = Field(None, description="Session it belongs to.")
    parent_instance_id: _UuidText | None = Field(None, description="Parent, for children.")
    budget: Budget | None = Field(None, description="Resource limits.")
    created_at: Timestamp = Field(description="Creation time.")
    updated_at: Timestamp = Field(description="Last change.")


class CreateInstanceRequest(WireModel):
    """Body of ``POST /instances``."""

    error_class = InstanceValidationError
    omit_none_fields: ClassVar[frozenset[str] | None] = None

    sequence_id: _UuidText = Field(description="Sequence version to run.")
    tenant_id: NonEmptyText = Field(description="Owning tenant.")
    namespace: NonEmptyText = Field(description="Namespace of the sequence.")
    priority: PriorityField = Field(Priority.NORMAL, description="Claim priority.")
    timezone: NonEmptyText = Field("UTC", description="IANA zone for windows and local times.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form JSON.")
    context: ExecutionContext = Field(
        default_factory=ExecutionContext, description="Initial data, config, audit, runtime."
    )
    dry_run: StrictBoolean = Field(False, description="Run without side effects.")
    dry_run_auto_approve: StrictBoolean = Field(
        False, description="In a dry run, answer human gates with their first choice."
    )
    next_fire_at: Timestamp | None = Field(None, description="First due time; omitted = now.")
    concurrency_key: NonEmptyText | None = Field(
        None, description="Concurrency group; requires max_concurrency."
    )
    max_concurrency: PositiveInt | None = Field(
        None, description="Running limit for the group; requires concurrency_key."
    )
    idempotency_key: NonEmptyText | None = Field(
        None, description="Same key, same tenant: the existing instance is returned."
    )
    budget: Budget | None = Field(None, description="Resource limits.")

    @model_validator(mode="after")
    def _concurrency_pair(self) -> Self:
        found: list[Problem] = []
        if self.concurrency_key is not None and self.max_concurrency is None:
            found.append(Problem("max_concurrency", "required when concurrency_key is set"))
        if self.max_concurrency is not None and self.concurrency_key is None:
            found.append(Problem("concurrency_key", "required when max_concurrency is set"))
        reject_all(found)
        return self
