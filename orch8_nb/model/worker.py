"""Worker tasks: steps handed to external workers, leased and fenced by ``claim_epoch``."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from orch8_nb.model._base import WireModel
from orch8_nb.model._types import NonNegativeInt, StrictBoolean, StrictText
from orch8_nb.model.context import ExecutionContext
from orch8_nb.model.timestamps import Timestamp


class WorkerTaskState(StrEnum):
    """State of a worker task."""

    PENDING = "pending"  # waiting for a worker to poll it
    CLAIMED = "claimed"  # leased to a worker
    COMPLETED = "completed"  # the worker reported success
    FAILED = "failed"  # the worker reported failure


class WorkerTask(WireModel):
    """A step dispatched to an external worker, as polled from ``/workers/tasks/poll``."""

    omit_none_fields: ClassVar[frozenset[str] | None] = frozenset(
        {"queue_name", "resume_checkpoint"}
    )

    id: StrictText = Field(description="Task id.")
    instance_id: StrictText = Field(description="Owning instance.")
    block_id: StrictText = Field(description="Step block the task runs.")
    handler_name: StrictText = Field(description="Handler the worker must run.")
    queue_name: StrictText | None = Field(None, description="Queue it was routed to.")
    params: Any = Field(None, description="Resolved parameters.")
    context: ExecutionContext = Field(
        default_factory=ExecutionContext, description="Context the step may see."
    )
    attempt: NonNegativeInt = Field(0, description="Attempt number, counted from 0.")
    timeout_ms: NonNegativeInt | None = Field(
        None, description="Expires this many ms after creation."
    )
    state: WorkerTaskState = Field(WorkerTaskState.PENDING, description="Task state.")
    worker_id: StrictText | None = Field(None, description="Worker holding the lease.")
    claimed_at: Timestamp | None = Field(None, description="When it was claimed.")
    heartbeat_at: Timestamp | None = Field(None, description="Last heartbeat.")
    claim_epoch: NonNegativeInt = Field(
        0, description="Bumped at every claim; stale complete/fail/heartbeat calls get 409."
    )
    resume_checkpoint: Any = Field(None, description="Checkpoint saved by a previous lease.")
    checkpoint_seq: NonNegativeInt = Field(0, description="Checkpoint version for CAS.")
    completed_at: Timestamp | None = Field(None, description="When it completed or failed.")
    output: Any = Field(None, description="Output reported on completion.")
    error_message: StrictText | None = Field(None, description="Failure message.")
    error_retryable: StrictBoolean | None = Field(None, description="Whether it may retry.")
    created_at: Timestamp = Field(description="When it was created.")
