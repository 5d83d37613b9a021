"""The ``step`` block: the only leaf, it calls a handler."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from orch8_nb.model._types import JsonSchemaDocument, NonEmptyText, StrictBoolean, StrictText
from orch8_nb.model.block_type import BlockType
from orch8_nb.model.blocks.base import BlockBase
from orch8_nb.model.blocks.step_options import (
    CompensationDef,
    ContextAccess,
    DeadlineBreachHandler,
    DelaySpec,
    HumanInputDef,
    RetryPolicy,
    SendWindow,
)
from orch8_nb.model.durations import DurationMs


class StepDef(BlockBase):
    """Calls one handler: built-in, registered Python function, or external worker."""

    block_type = BlockType.STEP
    type: Literal["step"] = Field("step", description="Block type tag.")
    handler: NonEmptyText = Field(
        description="Handler name: built-in, registered function, worker name, "
        "wasm://name, grpc://name or ap://piece/action."
    )
    params: Any = Field(
        None, description="JSON given to the handler; {{templates}} resolved before dispatch."
    )
    delay: DelaySpec | None = Field(None, description="Durable wait before the step runs.")
    retry: RetryPolicy | None = Field(None, description="Retry policy; none means no retry.")
    timeout: DurationMs | None = Field(
        None, description="Per-attempt time limit in ms; expiry is a retryable failure."
    )
    rate_limit_key: StrictText | None = Field(
        None, description="Consume a token of this (tenant, key) rate limit before running."
    )
    send_window: SendWindow | None = Field(
        None, description="Run only inside this daily window (instance timezone)."
    )
    context_access: ContextAccess | None = Field(
        None, description="Context sections the handler sees; omitted means all."
    )
    cancellable: StrictBoolean = Field(
        True, description="False keeps the step running when the instance is cancelled."
    )
    wait_for_input: HumanInputDef | None = Field(
        None, description="Human gate that must be answered before the handler runs."
    )
    queue_name: StrictText | None = Field(
        None, description="Worker queue to route the task to; omitted means the default."
    )
    deadline: DurationMs | None = Field(
        None, description="Hard limit in ms from step start; breach fails the step."
    )
    on_deadline_breach: DeadlineBreachHandler | None = Field(
        None, description="Escalation handler called when the deadline is breached."
    )
    fallback_handler: StrictText | None = Field(
        None, description="Handler used instead when the primary's circuit breaker is open."
    )
    cache_key: StrictText | None = Field(
        None, description="Template; a cached output under this key skips the handler."
    )
    output_schema: JsonSchemaDocument | None = Field(
        None, description="JSON Schema the output must satisfy; a violation fails for good."
    )
    when: StrictText | None = Field(None, description="Expression; falsy skips the step.")
    compensation: CompensationDef | None = Field(
        None, description="How to undo this step's effect (receipt-backed recovery)."
    )
