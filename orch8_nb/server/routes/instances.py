"""Instances: create (idempotent with a key), batch, read, list, outputs, tree, audit,
children, signals, retry; and the pending approvals."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from orch8_nb.engine import Engine
from orch8_nb.server.wire import instance_json, plain, priority_in

# One instance's fields as Orch8's POST /instances takes them.


class CreateInstance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sequence_id: str = Field(min_length=1)
    tenant_id: str | None = None
    namespace: str | None = None
    priority: int | str | None = None
    timezone: str | None = None
    metadata: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    next_fire_at: str | int | None = None
    concurrency_key: str | None = None
    max_concurrency: int | None = Field(None, ge=1)
    idempotency_key: str | None = None
    session_id: str | None = None
    budget: dict[str, Any] | None = None
    #: Accepted for Orch8's clients; a dry run is not supported (422 when true).
    dry_run: bool = False
    state: str | None = None
    parent_instance_id: str | None = None

    @field_validator("priority")
    @classmethod
    def _priority(cls, value: Any) -> Any:
        return priority_in(value)


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instances: list[CreateInstance] = Field(min_length=1, max_length=10_000)


class Signal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signal_type: str | dict[str, str]
    payload: Any = None


def _create(engine: Engine, body: CreateInstance) -> Any:
    if body.tenant_id is not None and body.tenant_id != engine.aio.tenant_id:
        raise HTTPException(403, f"tenant {body.tenant_id!r} is not served here")
    if body.dry_run:
        from orch8_nb.errors import UnsupportedFeatureError

        raise UnsupportedFeatureError("dry_run: dry runs are not supported by this engine")
    options = {k: v for k, v in body.model_dump(exclude_none=True).items()
               if k in ("context", "metadata", "timezone", "next_fire_at", "concurrency_key",
                        "max_concurrency", "idempotency_key", "budget", "session_id",
                        "priority")}  # fmt: skip
    if "session_id" in options:
        options["session"] = options.pop("session_id")
    return engine.create_instance(body.sequence_id, **options)


def router(engine: Engine) -> APIRouter:
    api = APIRouter(tags=["instances"])

    @api.post("/instances", status_code=201)
    def create(body: CreateInstance) -> dict[str, Any]:
        """Start an instance; a repeated ``idempotency_key`` returns the first one with
        ``deduplicated: true``. The whole instance is returned (Orch8 sends ``{id}``)."""
        inst = _create(engine, body)
        return {**instance_json(inst.snapshot()), "deduplicated": inst.deduplicated}

    @api.post("/instances/batch", status_code=201)
    def batch(body: Batch) -> dict[str, Any]:
        """Several instances; ``count`` (Orch8) and ``created`` (the Python SDK) agree."""
        made = [_create(engine, one) for one in body.instances]
        ids = [i.id for i in made]
        return {"count": len(made), "created": len(made), "ids": ids}

    @api.get("/instances")
    def list_(
        state: str | None = Query(None, description="One state or a comma list."),
        sequence_id: str | None = None,
        limit: int = Query(100, ge=1, le=1000),
        offset: int = Query(0, ge=0),
    ) -> dict[str, Any]:
        """``{items, has_more}``, newest first."""
        states = [s for s in state.split(",") if s] if state else None
        found = engine.list_instances(states, sequence=sequence_id, limit=limit + 1, offset=offset)
        return {"items": [instance_json(i.snapshot()) for i in found[:limit]],
                "has_more": len(found) > limit}  # fmt: skip

    @api.get("/instances/{instance_id}")
    def get(instance_id: str) -> dict[str, Any]:
        return instance_json(engine.get_instance(instance_id).snapshot())

    @api.get("/instances/{instance_id}/children")
    def children(instance_id: str) -> list[dict[str, Any]]:
        return [instance_json(c.snapshot()) for c in engine.get_instance(instance_id).children()]

    @api.get("/instances/{instance_id}/outputs")
    def outputs(instance_id: str) -> list[dict[str, Any]]:
        engine.get_instance(instance_id)
        return [plain(o) for o in engine.outputs(instance_id)]

    @api.get("/instances/{instance_id}/tree")
    def tree(instance_id: str) -> list[dict[str, Any]]:
        engine.get_instance(instance_id)
        return [plain(n) for n in engine.tree(instance_id)]

    @api.get("/instances/{instance_id}/audit")
    def audit(instance_id: str) -> list[dict[str, Any]]:
        engine.get_instance(instance_id)
        # ``event`` and ``timestamp`` too: the names the Python SDK's AuditEntry reads.
        return [{**(row := plain(a)), "event": row["event_type"], "timestamp": row["created_at"]}
                for a in engine.audit(instance_id)]  # fmt: skip

    @api.post("/instances/{instance_id}/signals", status_code=201)
    def signal(instance_id: str, body: Signal) -> dict[str, str]:
        """``signal_type``: ``pause``, ``resume``, ``cancel``, ``update_context``,
        ``{"custom": name}`` or ``custom:<name>``."""
        kind: Any = body.signal_type
        if isinstance(kind, str) and kind.startswith("custom:"):
            kind = {"custom": kind.removeprefix("custom:")}
        return {"signal_id": engine.send_signal(instance_id, kind, body.payload)}

    @api.post("/instances/{instance_id}/retry")
    def retry(instance_id: str) -> dict[str, Any]:
        """Run a failed instance again from its failed step (committed steps stay)."""
        return instance_json(engine.get_instance(instance_id).retry().snapshot())

    @api.get("/approvals")
    def approvals() -> dict[str, Any]:
        """Human-input gates waiting for an answer."""
        items = engine.pending_approvals()
        return {"items": items, "count": len(items)}

    return api
