"""Acting on many instances at once: ``POST /instances/batch-action`` and
``PATCH /instances/bulk/state``, over a filter, each instance counted by what happened."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from orch8_nb.engine import Engine, Instance
from orch8_nb.errors import InvalidTransitionError, Orch8Error
from orch8_nb.server.routes.operations import STATE_SIGNALS


class Filter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: str | None = None
    namespace: str | None = None
    sequence_id: str | None = None
    states: list[str] | None = None


class BatchAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filter: Filter = Field(default_factory=Filter)
    action: Literal["retry", "pause", "resume", "cancel", "signal"]
    signal_type: str | dict[str, str] | None = None
    payload: Any = None
    dry_run: bool = False
    limit: int = Field(1000, ge=1, le=10_000)


class BulkState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filter: Filter = Field(default_factory=Filter)
    state: str


def _matching(engine: Engine, flt: Filter, limit: int) -> list[Instance]:
    return engine.list_instances(flt.states, sequence=flt.sequence_id, limit=limit)


def _act(engine: Engine, inst: Instance, body: BatchAction) -> None:
    if body.action == "retry":
        inst.retry()
    elif body.action == "signal":
        engine.send_signal(inst.id, body.signal_type, body.payload)
    else:
        engine.send_signal(inst.id, body.action)


def router(engine: Engine) -> APIRouter:
    api = APIRouter(tags=["operations"])

    @api.post("/instances/batch-action")
    def batch_action(body: BatchAction) -> dict[str, Any]:
        """Apply ``action`` to every matching instance (up to ``limit``): ``applied``
        counts successes, ``skipped`` the instances it does not apply to (a finished one
        cannot be paused), ``failed`` the errors; ``dry_run`` only counts matches."""
        if body.action == "signal" and body.signal_type is None:
            raise Orch8Error("batch-action: signal_type is required for action 'signal'")
        found = _matching(engine, body.filter, body.limit)
        result: dict[str, Any] = {"matched": len(found), "applied": 0, "skipped": 0,
                                  "failed": 0, "dry_run": body.dry_run}  # fmt: skip
        if body.dry_run:
            return result
        for inst in found:
            try:
                _act(engine, inst, body)
            except Orch8Error:
                result["skipped"] += 1
            except Exception:  # counted, not fatal to the rest of the batch
                result["failed"] += 1
            else:
                result["applied"] += 1
        return result

    @api.patch("/instances/bulk/state")
    def bulk_state(body: BulkState) -> dict[str, Any]:
        """``paused``, ``scheduled`` or ``cancelled`` for every matching instance."""
        signal = STATE_SIGNALS.get(body.state)
        if signal is None:
            raise InvalidTransitionError(f"state {body.state!r} cannot be set; use one of "
                                         f"{', '.join(STATE_SIGNALS)}")  # fmt: skip
        count = 0
        for inst in _matching(engine, body.filter, 10_000):
            try:
                engine.send_signal(inst.id, signal)
            except Orch8Error:
                continue
            count += 1
        return {"count": count, "updated": count}

    return api
