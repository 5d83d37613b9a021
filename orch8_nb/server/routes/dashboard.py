"""The web dashboard: its page and bundle, and the three routes it needs beyond Orch8's.

The page draws with the notebook widgets' React components, so it asks for what their
kernel side sends them: an instance's live view (``GET /instances/{id}/view``), a block's
inspector payload (``GET /instances/{id}/blocks/{block_id}/inspection``) and the tree's
controls (``POST /instances/{id}/control``), each answered by the same Python code as in a
notebook. Everything else it reads through Orch8's own routes.

The page and its bundle hold no data and are served without the API key; the page asks
for the key and sends it with every request it makes.
"""

from __future__ import annotations

from html import escape
from importlib import resources
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from orch8_nb.engine import Engine
from orch8_nb.errors import Orch8Error
from orch8_nb.render.controls import control
from orch8_nb.render.inspection import inspection
from orch8_nb.render.views import instance_view, read_instance

#: The bundle ``make js`` builds next to this package (shipped in the wheel).
ASSETS = ("dashboard.js", "dashboard.css")
_MEDIA = {".js": "text/javascript", ".css": "text/css"}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>orch8-nb dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{root}/dashboard/assets/dashboard.css">
</head>
<body class="orch8-dashboard-page">
<div id="orch8-dashboard" data-api="{root}/api/v1" data-auth="{auth}" data-tenant="{tenant}">
<noscript>The orch8-nb dashboard needs JavaScript.</noscript>
</div>
<script type="module" src="{root}/dashboard/assets/dashboard.js"></script>
</body>
</html>
"""


class Control(BaseModel):
    """One control of the live tree, as the widget sends it to the kernel."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["pause", "resume", "cancel", "retry", "signal", "approve"]
    name: str | None = Field(None, min_length=1, description="signal: its name")
    payload: Any = None
    block_id: str | None = Field(None, min_length=1, description="approve: the gated step")
    value: Any = None
    comment: str | None = None


def static_dir() -> Any:
    return resources.files("orch8_nb.server") / "static"


def page_router(engine: Engine, *, auth: bool) -> APIRouter:
    """``/dashboard`` and its bundle (root paths only, open: they hold no data)."""
    api = APIRouter(include_in_schema=False)

    @api.get("/dashboard", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        missing = [name for name in ASSETS if not (static_dir() / name).is_file()]
        if missing:
            return HTMLResponse(
                "<p>The dashboard is not built (missing "
                f"{escape(', '.join(missing))}): run <code>make js</code>.</p>",
                status_code=503,
            )
        root = escape(str(request.scope.get("root_path", "")).rstrip("/"))
        body = _PAGE.format(
            root=root, auth="key" if auth else "none", tenant=escape(engine.aio.tenant_id)
        )
        return HTMLResponse(body, headers={"cache-control": "no-cache"})

    @api.get("/dashboard/assets/{name}", response_model=None)
    def asset(name: str) -> FileResponse | JSONResponse:
        if name not in ASSETS:
            return JSONResponse({"error": f"no dashboard asset {name!r}"}, status_code=404)
        path = static_dir() / name
        if not path.is_file():
            return JSONResponse(
                {"error": f"dashboard asset {name} is not built: run `make js`"}, status_code=404
            )
        return FileResponse(
            str(path), media_type=_MEDIA[name[name.rindex(".") :]],
            headers={"cache-control": "no-cache"},
        )  # fmt: skip

    return api


def router(engine: Engine) -> APIRouter:
    """The widget side of the live tree over HTTP (served under ``/api/v1`` and bare)."""
    api = APIRouter(tags=["dashboard"])

    @api.get("/instances/{instance_id}/view")
    def view(instance_id: str) -> dict[str, Any]:
        """The live InstanceView the notebook's tree widget draws (``docs/ui-protocol.md``):
        the sequence, the instance's state and one NodeView per block."""
        return instance_view(read_instance(engine, instance_id), live=True)

    @api.get("/instances/{instance_id}/blocks/{block_id}/inspection")
    def inspect(instance_id: str, block_id: str) -> dict[str, Any]:
        """What the inspector shows for one block: params, output, error, attempts, the
        context, its audit rows and the gate waiting for an answer, if any."""
        try:
            return inspection(engine.get_instance(instance_id), block_id)
        except KeyError as exc:
            raise HTTPException(404, str(exc.args[0])) from None

    @api.post("/instances/{instance_id}/control")
    def act(instance_id: str, body: Control) -> dict[str, Any]:
        """Pause, resume, cancel, retry, send a signal or answer a gate, exactly as the
        notebook's tree controls do (an unanswerable gate or a wrong state is refused with
        Python's message)."""
        message = body.model_dump(exclude_none=True)
        try:
            action, done = control(engine.get_instance(instance_id), message)
        except Orch8Error:
            raise  # the API's usual statuses (404, 409, 422 with the paths...)
        except KeyError as exc:
            raise HTTPException(404, str(exc.args[0])) from None
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return {"action": action, "ok": True, "message": done}

    return api
