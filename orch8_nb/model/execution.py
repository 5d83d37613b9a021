"""The execution tree (one node per block) and the append-only block outputs."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from pydantic import Field

from orch8_nb.model._base import WireModel
from orch8_nb.model._types import NonNegativeInt, StrictText
from orch8_nb.model.block_type import BlockType
from orch8_nb.model.timestamps import Timestamp


class NodeState(StrEnum):
    """State of one execution-tree node."""

    PENDING = "pending"  # not started
    RUNNING = "running"  # active (a composite is running while its children are)
    WAITING = "waiting"  # dispatched to a worker, or waiting for input, a child or a timer
    COMPLETED = "completed"  # finished successfully
    FAILED = "failed"  # finished with an error
    CANCELLED = "cancelled"  # stopped by cancel, a lost race or a failed sibling
    SKIPPED = "skipped"  # not taken: `when` was falsy, another route or variant won


NODE_TERMINAL_STATES: frozenset[NodeState] = frozenset(
    {NodeState.COMPLETED, NodeState.FAILED, NodeState.CANCELLED, NodeState.SKIPPED}
)

# output_ref sentinels: rows that are not a real output of the block.
IN_PROGRESS_REF: Final = "__in_progress__"  # written before a handler runs (crash marker)
RETRY_REF: Final = "__retry__"  # a failed attempt that will be retried
ERROR_REF: Final = "__error__"  # the error that failed a block for good
#: Instance metadata ``<prefix><block id>``: an approval a running handler asked for, and
#: the answer its next run receives (see ``engine/blocks/handler_approval.py``).
APPROVAL_REQUEST: Final = "_approval_request:"
APPROVAL_ANSWER: Final = "_approval:"
#: Bookkeeping rows that ``outputs.<id>`` never sees (the latest *real* output wins).
SENTINEL_REFS: Final = frozenset({IN_PROGRESS_REF, RETRY_REF, ERROR_REF})


class ExecutionNode(WireModel):
    """One block of one instance in the execution tree."""

    id: StrictText = Field(description="Node id.")
    instance_id: StrictText = Field(description="Owning instance.")
    block_id: StrictText = Field(description="Id of the block this node runs.")
    parent_id: StrictText | None = Field(None, description="Parent node; none for roots.")
    block_type: BlockType = Field(description="Type of the block.")
    branch_index: NonNegativeInt | None = Field(
        None, description="Which child list of the parent this node is in (see walk.py)."
    )
    state: NodeState = Field(NodeState.PENDING, description="Current state.")
    started_at: Timestamp | None = Field(None, description="When it started running.")
    completed_at: Timestamp | None = Field(None, description="When it reached a final state.")


class BlockOutput(WireModel):
    """One output row; rows are appended per attempt and iteration, the latest wins."""

    id: StrictText = Field(description="Row id.")
    instance_id: StrictText = Field(description="Owning instance.")
    block_id: StrictText = Field(description="Block that produced it (or a sentinel id).")
    output: Any = Field(None, description="The JSON output.")
    output_ref: StrictText | None = Field(
        None, description="Externalised payload reference or a sentinel such as __retry__."
    )
    output_size: NonNegativeInt = Field(0, description="Size of the output in bytes.")
    attempt: NonNegativeInt = Field(0, description="Attempt number, counted from 0.")
    created_at: Timestamp = Field(description="When the row was written.")
