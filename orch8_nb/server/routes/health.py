"""Health, metrics and version (served at the root only, as in Orch8; metrics need the
API key when one is set)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

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

    @api.get("/metrics", response_class=PlainTextResponse)
    def metrics() -> str:
        """Prometheus text format: instances by state, and the engine's version."""
        from orch8_nb import __version__

        lines = ["# HELP orch8_instances Instances by state.", "# TYPE orch8_instances gauge"]
        for state, n in sorted(engine.counts().items()):
            lines.append(f'orch8_instances{{state="{state}"}} {n}')
        lines += ["# HELP orch8_info Engine version.", "# TYPE orch8_info gauge",
                  f'orch8_info{{version="{__version__}",engine="orch8-nb"}} 1']  # fmt: skip
        return "\n".join(lines) + "\n"

    @api.get("/info")
    def info() -> dict[str, Any]:
        from orch8_nb import __version__

        schema = engine.schema_version()
        return {"version": __version__, "engine": "orch8-nb", "storage_schema_version": schema}

    return api
