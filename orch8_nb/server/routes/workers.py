"""The worker-task protocol: poll, complete, fail, heartbeat, with ``claim_epoch`` fencing.

A complete, fail or heartbeat that carries a ``claim_epoch`` other than the task's current
one is refused with 409 (a stale lease). Clients that send none, such as the published
Python SDK, are accepted when their ``worker_id`` holds the current claim.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from orch8_nb.engine import Engine
from orch8_nb.engine.convert import task_model
from orch8_nb.server.wire import plain


class Poll(BaseModel):
    model_config = ConfigDict(extra="ignore")  # `version` and future fields

    handler_name: str = Field(min_length=1)
    worker_id: str = Field(min_length=1)
    limit: int = Field(1, ge=1, le=1000)


class QueuePoll(Poll):
    queue_name: str = Field(min_length=1)


class Complete(BaseModel):
    model_config = ConfigDict(extra="ignore")  # `logs`

    worker_id: str = Field(min_length=1)
    claim_epoch: int | None = None
    output: Any = None


class Fail(BaseModel):
    model_config = ConfigDict(extra="ignore")

    worker_id: str = Field(min_length=1)
    claim_epoch: int | None = None
    message: str = ""
    retryable: bool = False


class Heartbeat(BaseModel):
    model_config = ConfigDict(extra="ignore")

    worker_id: str = Field(min_length=1)
    claim_epoch: int | None = None


def router(engine: Engine) -> APIRouter:
    api = APIRouter(tags=["workers"])

    @api.get("/workers/tasks")
    def tasks(
        state: str | None = None,
        handler_name: str | None = None,
        instance_id: str | None = None,
        limit: int = Query(50, ge=1, le=1000),
        offset: int = Query(0, ge=0),
    ) -> list[dict[str, Any]]:
        """Worker tasks, filtered by state, handler or instance."""
        rows = engine._thread.call(engine.aio.storage.list_worker_tasks(
            state, handler_name, instance_id, limit, offset))  # fmt: skip
        return [plain(task_model(r)) for r in rows]

    @api.get("/workers/tasks/stats")
    def stats() -> dict[str, Any]:
        """Task counts by state and by handler (of the most recent 10,000 tasks)."""
        rows = engine._thread.call(engine.aio.storage.list_worker_tasks(limit=10_000))
        by_state: dict[str, int] = {}
        by_handler: dict[str, dict[str, int]] = {}
        for r in rows:
            by_state[r.state] = by_state.get(r.state, 0) + 1
            counts = by_handler.setdefault(r.handler_name, {})
            counts[r.state] = counts.get(r.state, 0) + 1
        return {"by_state": by_state, "by_handler": by_handler, "total": len(rows)}

    @api.post("/workers/tasks/poll")
    def poll(body: Poll) -> list[dict[str, Any]]:
        """Claim up to ``limit`` pending tasks of ``handler_name`` (any queue)."""
        return [plain(t) for t in engine.poll_tasks(body.handler_name, body.worker_id, body.limit)]

    @api.post("/workers/tasks/poll/queue")
    def poll_queue(body: QueuePoll) -> list[dict[str, Any]]:
        tasks = engine.poll_tasks(
            body.handler_name, body.worker_id, body.limit, queue_name=body.queue_name
        )
        return [plain(t) for t in tasks]

    @api.post("/workers/tasks/{task_id}/complete")
    def complete(task_id: str, body: Complete) -> dict[str, Any]:
        engine.complete_task(task_id, body.worker_id, body.output, claim_epoch=body.claim_epoch)
        return {}

    @api.post("/workers/tasks/{task_id}/fail")
    def fail(task_id: str, body: Fail) -> dict[str, Any]:
        engine.fail_task(task_id, body.worker_id, body.message, retryable=body.retryable,
                         claim_epoch=body.claim_epoch)  # fmt: skip
        return {}

    @api.post("/workers/tasks/{task_id}/heartbeat")
    def heartbeat(task_id: str, body: Heartbeat) -> dict[str, int]:
        """Keep the lease (409 when it is not this worker's). A claim with no heartbeat
        for 60 s returns to ``pending``; one past its ``timeout_ms`` fails."""
        task = engine.heartbeat_task(task_id, body.worker_id, claim_epoch=body.claim_epoch)
        return {"checkpoint_seq": task.checkpoint_seq}

    return api
