"""Sessions (shared data across instances) over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from orch8_nb.engine import Engine, Session
from orch8_nb.server.wire import instance_json


class NewSession(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_key: str = Field(min_length=1, max_length=512)
    data: dict[str, Any] = Field(default_factory=dict)
    expires_at: int | None = Field(None, ge=0, le=2**63 - 1)
    tenant_id: str | None = None


class SessionData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data: dict[str, Any]


class SessionState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: str = Field(min_length=1)


def session_json(session: Session) -> dict[str, Any]:
    return session.snapshot()


def router(engine: Engine) -> APIRouter:
    api = APIRouter(tags=["sessions"])

    @api.post("/sessions", status_code=201)
    def create(body: NewSession) -> dict[str, Any]:
        """A session under ``session_key`` (unique; 409 when taken)."""
        return session_json(engine.create_session(body.session_key, body.data,
                                                  expires_at=body.expires_at))  # fmt: skip

    @api.get("/sessions")
    def list_(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)) -> list[Any]:
        return [session_json(s) for s in engine.sessions(limit=limit, offset=offset)]

    @api.get("/sessions/by-key/{tenant_id}/{key}")
    def by_key(tenant_id: str, key: str) -> dict[str, Any]:
        if tenant_id != engine.aio.tenant_id:
            raise HTTPException(403, f"tenant {tenant_id!r} is not served here")
        return session_json(engine.session(key))

    @api.get("/sessions/{session_id}")
    def get(session_id: str) -> dict[str, Any]:
        return session_json(Session(engine, session_id))

    @api.patch("/sessions/{session_id}/data")
    def update(session_id: str, body: SessionData) -> dict[str, Any]:
        """Merge ``data`` into the session's data."""
        return session_json(Session(engine, session_id).update(body.data))

    @api.patch("/sessions/{session_id}/state")
    def set_state(session_id: str, body: SessionState) -> dict[str, Any]:
        return session_json(Session(engine, session_id).set_state(body.state))

    @api.get("/sessions/{session_id}/instances")
    def instances(session_id: str) -> list[dict[str, Any]]:
        return [instance_json(i.snapshot()) for i in Session(engine, session_id).instances()]

    return api
