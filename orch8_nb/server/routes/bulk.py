"""Acting on many instances at once: ``POST /instances/batch-action``,
``PATCH /instances/bulk/state`` and ``PATCH /instances/bulk/reschedule`` over a filter,
each instance counted by what happened; and retrying a dead-letter group."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from orch8_nb.engine import Engine, Instance
from orch8_nb.errors import InvalidTransitionError, Orch8Error
from orch8_nb.server.routes.operations import STATE_SIGNALS

#: About a century either way: far enough for any timer, within 64-bit milliseconds.
MAX_OFFSET_SECS = 100 * 365 * 86_400


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


class BulkReschedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filter: Filter = Field(default_factory=Filter)
    #: Seconds to move each timer by; negative brings it forward.
    offset_secs: int = Field(ge=-MAX_OFFSET_SECS, le=MAX_OFFSET_SECS)


def _served(engine: Engine, flt: Filter) -> None:
    if flt.tenant_id is not None and flt.tenant_id != engine.aio.tenant_id:
        raise HTTPException(403, f"tenant {flt.tenant_id!r} is not served here")


def _matching(engine: Engine, flt: Filter, limit: int) -> list[Instance]:
    _served(engine, flt)
    return engine.list_instances(flt.states, sequence=flt.sequence_id, limit=limit)


def _act(engine: Engine, inst: Instance, body: BatchAction) -> None:
    if body.action == "retry":
        inst.retry()
    elif body.action == "signal":
        engine.send_signal(inst.id, body.signal_type, body.payload)
    else:
        engine.send_signal(inst.id, body.action)


def _signal_all(engine: Engine, found: list[Instance], signal: str) -> int:
    """Send ``signal`` to each; how many took it (a finished instance does not)."""
    count = 0
    for inst in found:
        try:
            engine.send_signal(inst.id, signal)
        except Orch8Error:
            continue
        count += 1
    return count


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
        count = _signal_all(engine, _matching(engine, body.filter, 10_000), signal)
        return {"count": count, "updated": count}

    @api.get("/instances/dlq/groups")
    def dlq_groups() -> list[dict[str, Any]]:
        """Failed instances grouped by how they failed, biggest group first."""
        return engine.dlq_groups()

    @api.post("/instances/dlq/groups/{fingerprint}/retry")
    def retry_group(
        fingerprint: str,
        sample: bool = Query(False, description="Retry only the newest, to check a fix."),
    ) -> dict[str, Any]:
        """Retry the failed instances of one group (404 when none has the fingerprint)."""
        retried = engine.retry_group(fingerprint, sample=sample)
        return {"fingerprint": fingerprint, "sample": sample, "count": len(retried),
                "instance_ids": [i.id for i in retried]}  # fmt: skip

    @api.patch("/instances/bulk/reschedule")
    def bulk_reschedule(body: BulkReschedule) -> dict[str, Any]:
        """Move the timer (``next_fire_at``) of every matching ``scheduled`` instance by
        ``offset_secs``; one due now counts from now. Other states keep theirs, so a
        filter naming only other states matches nothing."""
        _served(engine, body.filter)
        states = body.filter.states
        count = 0
        if states is None or "scheduled" in states:
            count = engine.reschedule_instances(body.offset_secs * 1000,
                                                sequence=body.filter.sequence_id)  # fmt: skip
        return {"count": count, "updated": count}

    return api
