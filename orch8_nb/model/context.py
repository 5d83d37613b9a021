"""The four sections of an instance's context."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from orch8_nb.model._base import WireModel
from orch8_nb.model.limits import MAX_CONTEXT_BYTES

__all__ = ["MAX_CONTEXT_BYTES", "ExecutionContext"]


class ExecutionContext(WireModel):
    """``{data, config, audit, runtime}``: what handlers and templates read."""

    data: dict[str, Any] = Field(
        default_factory=dict, description="Workflow data, read and written by the run."
    )
    config: dict[str, Any] = Field(
        default_factory=dict, description="Read-only settings fixed at creation (holidays...)."
    )
    audit: list[Any] = Field(
        default_factory=list, description="Caller-supplied [{timestamp, event, details}] entries."
    )
    runtime: dict[str, Any] = Field(
        default_factory=dict, description="Engine-owned facts: current_step, attempt, ..."
    )

    def size_bytes(self) -> int:
        """Size as compact UTF-8 JSON, the measure ``MAX_CONTEXT_BYTES`` applies to."""
        text = json.dumps(self.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False)
        return len(text.encode())
