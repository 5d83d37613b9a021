"""The worker-task protocol: poll, complete, fail, heartbeat, with ``claim_epoch`` fencing.

A complete, fail or heartbeat that carries a ``claim_epoch`` other than the task's current
one is refused with 409 (a stale lease). Clients that send none, such as the published
Python SDK, are accepted when their ``worker_id`` holds the current claim.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from orch8_nb.engine import Engine
from orch8_nb.engine.clock import wall_clock_ms
from orch8_nb.server.wire import plain

#: Largest integer SQLite stores (a bigger one is a bad request, not a server error).
MAX_INT = 2**63 - 1


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
    claim_epoch: int | None = Field(None, ge=0, le=MAX_INT)
    output: Any = None


class Fail(BaseModel):
    model_config = ConfigDict(extra="ignore")

    worker_id: str = Field(min_length=1)
    claim_epoch: int | None = Field(None, ge=0, le=MAX_INT)
    message: str = ""
    retryable: bool = False


class Heartbeat(BaseModel):
    model_config = ConfigDict(extra="ignore")

    worker_id: str = Field(min_length=1)
    claim_epoch: int | None = Field(None, ge=0, le=MAX_INT)


class Fleet:
    """Workers seen polling this server: handlers, queues, last poll (wall-clock ms)."""

    def __init__(self) -> None:
        self._seen: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def saw(self, worker_id: str, handler: str, queue: str | None, claimed: int) -> None:
        with self._lock:
            fresh = {"worker_id": worker_id, "handlers": [], "queues": [], "tasks_claimed": 0}
            entry = self._seen.setdefault(worker_id, fresh)
            for key, value in (("handlers", handler), ("queues", queue)):
                if value is not None and value not in entry[key]:
                    entry[key] = sorted([*entry[key], value])
            entry["tasks_claimed"] += claimed
            entry["last_seen"] = wall_clock_ms()

    def listed(self, alive_within_s: float, include_stale: bool) -> list[dict[str, Any]]:
        now = wall_clock_ms()
        with self._lock:
            rows = [{**w, "alive": now - w["last_seen"] <= alive_within_s * 1000}
                    for w in self._seen.values()]  # fmt: skip
        return sorted((w for w in rows if include_stale or w["alive"]),
                      key=lambda w: w["worker_id"])  # fmt: skip


def router(engine: Engine, fleet: Fleet | None = None) -> APIRouter:
    api = APIRouter(tags=["workers"])
    fleet = fleet if fleet is not None else Fleet()

    @api.get("/workers")
    def workers(
        alive_within_secs: float = Query(60, gt=0), include_stale: bool = False
    ) -> list[dict[str, Any]]:
        """Workers that polled this server, alive if they polled within the window."""
        return fleet.listed(alive_within_secs, include_stale)

    @api.get("/workers/tasks")
    def tasks(
        state: str | None = None,
        handler_name: str | None = None,
        instance_id: str | None = None,
        limit: int = Query(50, ge=1, le=1000),
        offset: int = Query(0, ge=0),
    ) -> list[dict[str, Any]]:
        """Worker tasks, filtered by state, handler or instance."""
        found = engine.worker_tasks(state, handler_name=handler_name, instance_id=instance_id,
                                    limit=limit, offset=offset)  # fmt: skip
        return [plain(t) for t in found]

    @api.get("/workers/tasks/stats")
    def stats() -> dict[str, Any]:
        """Task counts by state and by handler (of the most recent 10,000 tasks)."""
        rows = engine.worker_tasks(limit=10_000)
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
        tasks = engine.poll_tasks(body.handler_name, body.worker_id, body.limit)
        fleet.saw(body.worker_id, body.handler_name, None, len(tasks))
        return [plain(t) for t in tasks]

    @api.post("/workers/tasks/poll/queue")
    def poll_queue(body: QueuePoll) -> list[dict[str, Any]]:
        tasks = engine.poll_tasks(
            body.handler_name, body.worker_id, body.limit, queue_name=body.queue_name
        )
        fleet.saw(body.worker_id, body.handler_name, body.queue_name, len(tasks))
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
