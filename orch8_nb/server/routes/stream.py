"""``GET /instances/{id}/stream``: an instance's events as server-sent events, fed by the
engine's event bus (never by polling the database).

Events, as in Orch8: ``state`` (the instance's state, first as it is now, then on each
change), ``output`` (a block committed an output: ``{block_id, output}``), ``llm_delta``
(model text while a call streams), ``done`` (a terminal state; the stream ends) and
``error``. Each ``data:`` line is a JSON object that also carries its ``event`` name (the
Python SDK reads only the data). A comment line every 15 s keeps proxies from closing an
idle stream; at most ``MAX_STREAMS`` streams are open at once (429 beyond).

``?nodes=true`` (an orch8-nb extension, used by the dashboard) adds ``node`` events (an
execution node changed state: ``{node_id, state}``) and ``step_started`` (a step's handler
began: ``{block_id}``), so a live tree can redraw a step before its result commits.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from orch8_nb.engine import Engine
from orch8_nb.engine.events import Event
from orch8_nb.engine.instance import TERMINAL

MAX_STREAMS = 64
KEEPALIVE_S = 15.0


class Streams:
    """The streams open on one app (both route prefixes count against one cap)."""

    def __init__(self, limit: int = MAX_STREAMS, keepalive_s: float = KEEPALIVE_S) -> None:
        self.limit = limit
        self.keepalive_s = keepalive_s
        self.open = 0
        self.lock = threading.Lock()


def router(engine: Engine, streams: Streams | None = None) -> APIRouter:
    api = APIRouter(tags=["instances"])
    streams = streams if streams is not None else Streams()
    max_streams, keepalive_s = streams.limit, streams.keepalive_s

    @api.get("/instances/{instance_id}/stream", response_model=None)
    async def stream(
        instance_id: str,
        request: Request,
        nodes: bool = Query(False, description="Also send `node` and `step_started` events."),
    ) -> StreamingResponse | JSONResponse:
        """Server-sent events of one instance until it ends (see the module doc)."""
        await asyncio.to_thread(engine.get_instance, instance_id)  # 404 for an unknown id
        with streams.lock:
            if streams.open >= max_streams:
                return JSONResponse({"error": f"too many open streams (at most {max_streams})"},
                                    status_code=429)  # fmt: skip
            streams.open += 1
        return StreamingResponse(
            _events(engine, instance_id, request, streams, keepalive_s, nodes=nodes),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return api


async def _events(
    engine: Engine,
    instance_id: str,
    request: Request,
    streams: Streams,
    keepalive_s: float,
    *,
    nodes: bool,
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Event] = asyncio.Queue()

    def on_event(event: Event) -> None:  # on the engine's loop
        loop.call_soon_threadsafe(queue.put_nowait, event)

    unsubscribe = engine.aio.bus.subscribe(on_event, instance_id)
    serial = 0

    def frame(kind: str, data: dict[str, Any]) -> str:
        nonlocal serial
        serial += 1
        body = json.dumps({"event": kind, "instance_id": instance_id, **data}, default=str)
        return f"id: {serial}\nevent: {kind}\ndata: {body}\n\n"

    try:
        state = (await asyncio.to_thread(engine.get_instance, instance_id)).state
        yield frame("state", {"state": state})
        if state in TERMINAL:
            yield frame("done", {"state": state})
            return
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), keepalive_s)
            except TimeoutError:
                if await request.is_disconnected():
                    return
                yield ": keep-alive\n\n"
                continue
            if event.kind == "instance":
                state = str(event.data.get("state"))
                yield frame("state", {"state": state})
                if state in TERMINAL:
                    yield frame("done", {"state": state})
                    return
            elif event.kind == "output":
                block = str(event.data.get("block_id"))
                output = await asyncio.to_thread(_latest_output, engine, instance_id, block)
                yield frame("output", {"block_id": block, "output": output})
            elif event.kind == "llm_delta":
                yield frame("llm_delta", {"block_id": event.data.get("block_id"),
                                          "text": event.data.get("text")})  # fmt: skip
            elif nodes and event.kind == "node":
                yield frame("node", {"node_id": event.data.get("node_id"),
                                     "state": str(event.data.get("state"))})  # fmt: skip
            elif nodes and event.kind == "step_started":
                yield frame("step_started", {"block_id": event.data.get("block_id")})
    except Exception as exc:  # the client hears about it instead of a silent end
        yield frame("error", {"error": str(exc)})
    finally:
        unsubscribe()
        with streams.lock:
            streams.open -= 1


def _latest_output(engine: Engine, instance_id: str, block_id: str) -> Any:
    rows = [o for o in engine.outputs(instance_id) if o.block_id == block_id]
    return rows[-1].output if rows else None
