"""Health and version (served at the root only, as in Orch8)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from orch8_nb.engine import Engine


def router(engine: Engine) -> APIRouter:
    api = APIRouter(tags=["health"])

    @api.get("/health/live")
    def live() -> dict[str, str]:
        """The process answers."""
        return {"status": "ok"}

    @api.get("/health/ready", response_model=None)
    def ready() -> dict[str, str] | JSONResponse:
        """The engine runs and its database answers (503 otherwise)."""
        try:
            engine.counts()
        except Exception as exc:  # any failure to read means not ready
            return JSONResponse({"status": "unavailable", "error": str(exc)}, status_code=503)
        return {"status": "ok"}

    @api.get("/info")
    def info() -> dict[str, Any]:
        from orch8_nb import __version__

        schema = engine._thread.call(engine.aio.storage.schema_version())
        return {"version": __version__, "engine": "orch8-nb", "storage_schema_version": schema}

    return api
