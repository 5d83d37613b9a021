"""Operating on instances: state changes, the context, resume-from, fork, checkpoints,
injected blocks, the dead-letter queue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from orch8_nb.engine import Engine
from orch8_nb.errors import InvalidTransitionError
from orch8_nb.server.wire import instance_json

#: ``PATCH /instances/{id}/state`` targets and the signal that gets an instance there.
STATE_SIGNALS = {"paused": "pause", "scheduled": "resume", "cancelled": "cancel"}


class StateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: str
    next_fire_at: str | int | None = None


class ContextReplace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    context: dict[str, Any]


class Rerun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_block_id: str | None = None
    data: dict[str, Any] | None = None


class CheckpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checkpoint_data: Any


class Prune(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keep: int = Field(ge=0)


class Injection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    blocks: list[dict[str, Any]] = Field(min_length=1)
    position: int | None = Field(None, ge=0)


def router(engine: Engine) -> APIRouter:
    api = APIRouter(tags=["operations"])

    @api.get("/instances/dlq")
    def dlq(
        limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)
    ) -> list[dict[str, Any]]:
        """Failed instances, newest first (retry, resume-from or fork them)."""
        return [instance_json(i.snapshot())
                for i in engine.list_instances("failed", limit=limit, offset=offset)]  # fmt: skip

    @api.patch("/instances/{instance_id}/state")
    def set_state(instance_id: str, body: StateChange) -> dict[str, Any]:
        """``paused``, ``scheduled`` (resume) or ``cancelled``, applied as the matching
        signal, so the engine checks the transition and audits it."""
        signal = STATE_SIGNALS.get(body.state)
        if signal is None:
            raise InvalidTransitionError(
                f"state {body.state!r} cannot be set by a request; use one of "
                f"{', '.join(STATE_SIGNALS)}"
            )
        signal_id = engine.send_signal(instance_id, signal)
        return {"signal_id": signal_id, "state": body.state}

    @api.patch("/instances/{instance_id}/context")
    def replace_context(instance_id: str, body: ContextReplace) -> dict[str, Any]:
        """Replace the whole context (``data``, ``config``, ``audit``; a missing section
        becomes empty, ``runtime`` stays the engine's); audited. 409 while a step runs,
        413 over the context size cap."""
        inst = engine.get_instance(instance_id).replace_context(body.context)
        return instance_json(inst.snapshot())

    @api.post("/instances/{instance_id}/resume-from/{block_id}")
    def resume_from(instance_id: str, block_id: str, body: Rerun | None = None) -> dict[str, Any]:
        """Run a failed instance again from ``block_id`` (blocks before it keep their
        outputs); ``data`` is merged into ``context.data`` first."""
        inst = engine.get_instance(instance_id).resume_from(block_id, body.data if body else None)
        return instance_json(inst.snapshot())

    @api.post("/instances/{instance_id}/fork", status_code=201)
    def fork(instance_id: str, body: Rerun) -> dict[str, Any]:
        """A new instance that copies this one's history up to ``from_block_id``."""
        if body.from_block_id is None:
            raise InvalidTransitionError("fork: from_block_id is required")
        inst = engine.get_instance(instance_id).fork(body.from_block_id, body.data)
        return instance_json(inst.snapshot())

    @api.get("/instances/{instance_id}/checkpoints")
    def checkpoints(instance_id: str) -> list[dict[str, Any]]:
        return engine.get_instance(instance_id).checkpoints()

    @api.post("/instances/{instance_id}/checkpoints", status_code=201)
    def save_checkpoint(instance_id: str, body: CheckpointIn) -> dict[str, Any]:
        return engine.get_instance(instance_id).save_checkpoint(body.checkpoint_data)

    @api.get("/instances/{instance_id}/checkpoints/latest")
    def latest_checkpoint(instance_id: str) -> dict[str, Any]:
        found = engine.get_instance(instance_id).latest_checkpoint()
        if found is None:
            from orch8_nb.errors import NotFoundError

            raise NotFoundError(f"instance {instance_id} has no checkpoint")
        return found

    @api.post("/instances/{instance_id}/checkpoints/prune")
    def prune(instance_id: str, body: Prune) -> dict[str, int]:
        return {"deleted": engine.get_instance(instance_id).prune_checkpoints(body.keep)}

    @api.post("/instances/{instance_id}/inject-blocks")
    def inject(instance_id: str, body: Injection) -> dict[str, str]:
        """Add blocks to a running instance (checked now, applied between steps)."""
        inst = engine.get_instance(instance_id)
        return {"signal_id": inst.inject_blocks(body.blocks, body.position)}

    return api
