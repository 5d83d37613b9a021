"""The FastAPI application over one engine: Orch8's routes, under ``/api/v1`` and at the
bare path, with API-key auth, a body-size cap and Orch8's error bodies.

An engine serves one tenant (``Engine(tenant_id=...)``): a request naming another one in
``X-Tenant-Id``, a ``tenant_id`` query parameter or a body's ``tenant_id`` is refused
with 403 before anything is read.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from orch8_nb.engine import Engine
from orch8_nb.errors import Orch8Error
from orch8_nb.server import errors
from orch8_nb.server.routes import (
    breakers,
    bulk,
    dashboard,
    health,
    instances,
    operations,
    records,
    sequences,
    stream,
    workers,
)

PREFIX = "/api/v1"
#: Requests with a larger body are refused with 413 before they are read.
MAX_BODY_BYTES = 10 * 1024 * 1024
#: Paths anyone may call: liveness for load balancers, and the API description.
OPEN_PATHS = frozenset({"/health/live", "/health/ready", "/api-docs/openapi.json"})
API_KEY_ENV = "ORCH8_API_KEY"
#: The dashboard's page and bundle hold no data: open too (the page asks for the key).
DASHBOARD = "/dashboard"


def create_app(
    engine: Engine,
    *,
    api_key: str | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_streams: int = stream.MAX_STREAMS,
    cors_origins: Sequence[str] = (),
) -> FastAPI:
    """The REST API of ``engine``. ``api_key`` (default: ``$ORCH8_API_KEY``) is required on
    every route but health, as ``x-api-key`` or ``Authorization: Bearer``.

    Browsers on other origins are refused (no CORS headers) unless listed in
    ``cors_origins`` (``["*"]`` for any); the dashboard, served here, needs none."""
    from orch8_nb import __version__

    key = (api_key if api_key is not None else os.environ.get(API_KEY_ENV)) or None
    tenant = engine.aio.tenant_id
    app = FastAPI(
        title="orch8-nb",
        version=__version__,
        description="Orch8's REST and worker API, served by an orch8-nb engine.",
        openapi_url="/api-docs/openapi.json",
        docs_url="/swagger-ui",
        redoc_url=None,
    )
    app.add_exception_handler(Orch8Error, errors.on_engine_error)
    app.add_exception_handler(RequestValidationError, errors.on_bad_request)
    app.add_exception_handler(HTTPException, errors.on_http_error)
    app.add_exception_handler(UnicodeError, errors.on_unstorable)
    app.add_exception_handler(OverflowError, errors.on_unstorable)
    app.include_router(health.router(engine))
    app.include_router(dashboard.page_router(engine, auth=key is not None))
    streams = stream.Streams(max_streams)
    builds: list[Callable[[Engine], APIRouter]] = [
        sequences.router, bulk.router, operations.router, instances.router,
        partial(stream.router, streams=streams),
        partial(workers.router, fleet=workers.Fleet()),
        records.router, breakers.router, dashboard.router,
    ]  # fmt: skip
    for build in builds:
        app.include_router(build(engine), prefix=PREFIX)
        app.include_router(build(engine), include_in_schema=False)  # the bare aliases

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        size = request.headers.get("content-length")
        if size is not None and size.isdigit() and int(size) > max_body_bytes:
            return errors.error(413, f"request body over {max_body_bytes} bytes")
        if key is not None and not _open(request.url.path) and not _authorized(request, key):
            return JSONResponse({"error": "missing or wrong API key"}, status_code=401)
        asked = request.headers.get("x-tenant-id") or request.query_params.get("tenant_id")
        if asked and asked != tenant:
            return tenant_refused(asked)
        return await call_next(request)

    if cors_origins:  # added last, so it runs first: preflights need no key
        app.add_middleware(
            CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["*"],
            allow_headers=["*"], max_age=600,
        )  # fmt: skip
    return app


def tenant_refused(asked: str) -> JSONResponse:
    """One engine serves one tenant; another tenant's requests learn nothing, not even
    whether an id exists."""
    return errors.error(403, f"tenant {asked!r} is not served here")


def _open(path: str) -> bool:
    return path in OPEN_PATHS or path == DASHBOARD or path.startswith(DASHBOARD + "/assets/")


def _authorized(request: Request, key: str) -> bool:
    """``x-api-key: <key>`` or ``Authorization: Bearer <key>``, compared in constant time."""
    given = request.headers.get("x-api-key")
    if given is None:
        auth = request.headers.get("authorization", "")
        given = auth[7:] if auth.lower().startswith("bearer ") else None
    return given is not None and hmac.compare_digest(given.encode(), key.encode())
