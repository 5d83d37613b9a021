"""Audit-log rows: one per state change, written in the same transaction as the change."""

from __future__ import annotations

from typing import Any, ClassVar, Final

from pydantic import Field

from orch8_nb.model._base import WireModel
from orch8_nb.model._types import StrictText
from orch8_nb.model.timestamps import Timestamp

STATE_TRANSITION: Final = "state_transition"  # the event type every lifecycle change writes


class AuditEntry(WireModel):
    """One audit-log row."""

    omit_none_fields: ClassVar[frozenset[str] | None] = frozenset(
        {"from_state", "to_state", "block_id"}
    )

    id: StrictText = Field(description="Row id.")
    instance_id: StrictText = Field(description="Instance the event is about.")
    tenant_id: StrictText = Field(description="Tenant of the instance.")
    event_type: StrictText = Field(description="Event type, e.g. state_transition.")
    from_state: StrictText | None = Field(None, description="State before the change.")
    to_state: StrictText | None = Field(None, description="State after the change.")
    block_id: StrictText | None = Field(None, description="Block concerned, if any.")
    details: Any = Field(default_factory=dict, description="Event-specific JSON.")
    created_at: Timestamp = Field(description="When it happened.")
