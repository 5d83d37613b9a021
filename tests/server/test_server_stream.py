"""``GET /instances/{id}/stream``: Orch8's events in order, from the event bus; the stream
ends with ``done``; unknown instances 404; a cap on open streams."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx

import orch8_nb as o8
from orch8_nb.engine import Engine
from orch8_nb.server import Server

GATED = o8.sequence("gated", o8.step("ship", "noop", wait_for_input=o8.human_input("Ship?")),
                    o8.step("note", "transform", params={"shipped": True}))  # fmt: skip


def read_events(url: str, into: list[dict[str, Any]], opened: threading.Event) -> None:
    with httpx.stream("GET", url, timeout=30) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                into.append(json.loads(line[6:]))
                opened.set()


def test_events_arrive_in_order_and_end_with_done(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    inst = engine.create_instance(GATED)
    with engine.serve(port=0) as server:
        events: list[dict[str, Any]] = []
        opened = threading.Event()
        reader = threading.Thread(target=read_events, args=(
            f"{server.url}/api/v1/instances/{inst.id}/stream", events, opened))  # fmt: skip
        reader.start()
        assert opened.wait(10)
        inst.approve("ship")
        reader.join(30)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "state" and kinds[-1] == "done"
    assert events[-1]["state"] == "completed"
    outputs = [e for e in events if e["event"] == "output"]
    assert [e["block_id"] for e in outputs][-1] == "note"
    assert outputs[-1]["output"] == {"shipped": True}
    assert kinds.index("output") < kinds.index("done")
    assert all(e["instance_id"] == inst.id for e in events)


def test_a_finished_instance_streams_its_state_and_done(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    inst = engine.run(o8.sequence("quick", o8.step("a", "noop")), timeout=10)
    with engine.serve(port=0) as server:
        events: list[dict[str, Any]] = []
        read_events(f"{server.url}/instances/{inst.id}/stream", events, threading.Event())
        missing = httpx.get(f"{server.url}/instances/nope/stream")
    assert [(e["event"], e["state"]) for e in events] == [("state", "completed"),
                                                           ("done", "completed")]  # fmt: skip
    assert missing.status_code == 404 and "nope" in missing.json()["error"]


def test_open_streams_are_capped(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    inst = engine.create_instance(GATED)
    server = Server(engine, host="127.0.0.1", port=0, max_streams=1)
    try:
        events: list[dict[str, Any]] = []
        opened = threading.Event()
        url = f"{server.url}/instances/{inst.id}/stream"
        reader = threading.Thread(target=read_events, args=(url, events, opened))
        reader.start()
        assert opened.wait(10)
        second = httpx.get(f"{server.url}/api/v1/instances/{inst.id}/stream", timeout=5)
        assert second.status_code == 429 and "at most 1" in second.json()["error"]
        inst.cancel()
        reader.join(30)
    finally:
        server.stop()
    assert events[-1]["event"] == "done" and events[-1]["state"] == "cancelled"
