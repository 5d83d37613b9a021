"""Circuit breakers over HTTP: Orch8's routes, and its tenant-scoped spelling of them
(an engine serves one tenant, so another tenant's path is refused with 403)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from orch8_nb.engine import Engine


def router(engine: Engine) -> APIRouter:
    api = APIRouter(tags=["circuit breakers"])

    @api.get("/circuit-breakers")
    def breakers() -> list[dict[str, Any]]:
        """Breakers of handlers that failed or were probed, with their state."""
        return engine.circuit_breakers()

    @api.get("/circuit-breakers/{handler}")
    def breaker(handler: str) -> dict[str, Any]:
        """One handler's breaker (404 while it has never failed: it is closed)."""
        found = [b for b in engine.circuit_breakers() if b["handler"] == handler]
        if not found:
            raise HTTPException(404, f"handler {handler!r} has no breaker state (never failed)")
        return found[0]

    @api.post("/circuit-breakers/{handler}/reset")
    def reset(handler: str) -> dict[str, str]:
        """Close ``handler``'s breaker now (audited)."""
        engine.reset_circuit_breaker(handler)
        return {"handler": handler, "state": "closed"}

    def served(tenant_id: str) -> None:
        if tenant_id != engine.aio.tenant_id:
            raise HTTPException(403, f"tenant {tenant_id!r} is not served here")

    @api.get("/tenants/{tenant_id}/circuit-breakers")
    def tenant_breakers(tenant_id: str) -> list[dict[str, Any]]:
        served(tenant_id)
        return breakers()

    @api.get("/tenants/{tenant_id}/circuit-breakers/{handler}")
    def tenant_breaker(tenant_id: str, handler: str) -> dict[str, Any]:
        served(tenant_id)
        return breaker(handler)

    @api.post("/tenants/{tenant_id}/circuit-breakers/{handler}/reset")
    def tenant_reset(tenant_id: str, handler: str) -> dict[str, str]:
        served(tenant_id)
        return reset(handler)

    return api
