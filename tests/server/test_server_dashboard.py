"""The dashboard's routes: the page and its bundle (open, no data), and the live tree's
view, inspection and controls over HTTP (behind the key, answered by the notebook
widgets' own Python code)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine
from orch8_nb.engine.clock import perf_counter, real_sleep
from orch8_nb.render.views import instance_view, read_instance
from orch8_nb.server import Server
from orch8_nb.server.routes import dashboard

KEY = "k-dash"
ASK = o8.human_input("Ship?", allow_comment=True)
GATED = o8.sequence("gated", o8.step("prep", "transform", params={"ready": True}),
                    o8.step("ship", "noop", wait_for_input=ASK))  # fmt: skip


_clients: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _clients:
        _clients.pop().close()


def _client(server: Server) -> httpx.Client:
    client = httpx.Client(base_url=f"{server.url}/api/v1", headers={"x-api-key": KEY})
    _clients.append(client)
    return client


@pytest.fixture
def served(make_engine: Callable[..., Engine]) -> Iterator[tuple[Engine, Server, o8.Instance]]:
    engine = make_engine("sqlite://:memory:", virtual=False)
    inst = engine.create_instance(GATED)
    _until(inst, "waiting")
    with engine.serve(port=0, api_key=KEY) as server:
        yield engine, server, inst


def test_the_page_and_bundle_are_served_without_the_key(
    served: tuple[Engine, Server, o8.Instance],
) -> None:
    _, server, _ = served
    page = httpx.get(f"{server.url}/dashboard")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-api="/api/v1"' in page.text and 'data-auth="key"' in page.text
    assert 'data-tenant="default"' in page.text
    for name, media in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        asset = httpx.get(f"{server.url}/dashboard/assets/{name}")
        assert asset.status_code == 200, name
        assert asset.headers["content-type"].startswith(media)
        assert len(asset.content) > 1000
    missing = httpx.get(f"{server.url}/dashboard/assets/../app.py")
    assert missing.status_code in (401, 404)  # never a file outside the bundle
    assert httpx.get(f"{server.url}/dashboard/assets/other.js").status_code == 404


def test_a_server_without_a_key_says_so_to_the_page(
    make_engine: Callable[..., Engine],
) -> None:
    with make_engine("sqlite://:memory:").serve(port=0) as server:
        assert 'data-auth="none"' in httpx.get(f"{server.url}/dashboard").text


def test_an_unbuilt_dashboard_says_how_to_build_it(
    served: tuple[Engine, Server, o8.Instance], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    _, server, _ = served
    monkeypatch.setattr(dashboard, "static_dir", lambda: tmp_path)
    page = httpx.get(f"{server.url}/dashboard")
    assert page.status_code == 503
    assert "make js" in page.text
    asset = httpx.get(f"{server.url}/dashboard/assets/dashboard.js")
    assert asset.status_code == 404 and "make js" in asset.json()["error"]


def test_view_and_inspection_are_the_widgets_own(
    served: tuple[Engine, Server, o8.Instance],
) -> None:
    engine, server, inst = served
    api = _client(server)
    assert httpx.get(f"{server.url}/api/v1/instances/{inst.id}/view").status_code == 401
    view = api.get(f"/instances/{inst.id}/view").json()
    expected = instance_view(read_instance(engine, inst.id), live=True)
    assert view["sequence"] == expected["sequence"]
    assert view["nodes"]["ship"] == {"state": "waiting", "waiting_for": "human input: Ship?"}
    assert view["instance"]["state"] == "waiting"

    seen = api.get(f"/instances/{inst.id}/blocks/ship/inspection").json()
    assert seen["type"] == "inspection" and seen["block_id"] == "ship"
    assert seen["gate"] == {"prompt": "Ship?", "choices": ["yes", "no"], "allow_comment": True}
    prep = api.get(f"/instances/{inst.id}/blocks/prep/inspection").json()
    assert prep["output"] == {"ready": True}

    nope = api.get(f"/instances/{inst.id}/blocks/nope/inspection")
    assert nope.status_code == 404 and nope.json() == {"error": "the sequence has no block 'nope'"}
    gone = api.get("/instances/00000000-0000-0000-0000-000000000000/view")
    assert gone.status_code == 404 and "not found" in gone.json()["error"]


def test_controls_act_as_in_a_notebook(served: tuple[Engine, Server, o8.Instance]) -> None:
    _, server, inst = served
    api = _client(server)
    url = f"/instances/{inst.id}/control"

    wrong = api.post(url, json={"action": "approve", "block_id": "ship", "value": "maybe"})
    assert wrong.status_code == 422
    assert wrong.json()["problems"][0]["path"] == "payload.value"
    assert "'maybe' is not a choice of gate 'ship'" in wrong.json()["error"]
    assert api.post(url, json={"action": "approve", "block_id": "prep"}).status_code == 404
    refused = api.post(url, json={"action": "retry"})
    assert refused.status_code == 400 and "only a failed instance can be retried" in refused.text
    unknown = api.post(url, json={"action": "explode"})
    assert unknown.status_code == 422 and unknown.json()["problems"][0]["path"] == "action"
    extra = api.post(url, json={"action": "pause", "force": True})
    assert extra.status_code == 422 and extra.json()["problems"][0]["path"] == "force"

    done = api.post(url, json={"action": "approve", "block_id": "ship", "value": "yes",
                               "comment": "looks right"})  # fmt: skip
    assert done.status_code == 200
    assert done.json() == {"action": "approve", "ok": True, "message": "answered ship: yes"}
    assert inst.wait(timeout=10).state == "completed"


def test_the_stream_tells_a_live_tree_about_nodes_on_request(
    make_engine: Callable[..., Engine],
) -> None:
    """``?nodes=true`` adds ``node`` and ``step_started`` events; Orch8's clients, which
    never ask, see only Orch8's events."""
    engine = make_engine("sqlite://:memory:", virtual=False)
    inst = engine.create_instance(GATED)
    _until(inst, "waiting")
    with engine.serve(port=0) as server:
        found: dict[str, list[str]] = {}
        threads = []
        for query in ("?nodes=true", ""):
            kinds: list[str] = []
            found[query] = kinds
            opened = threading.Event()
            url = f"{server.url}/instances/{inst.id}/stream{query}"
            thread = threading.Thread(target=_read_kinds, args=(url, kinds, opened))
            thread.start()
            assert opened.wait(10)
            threads.append(thread)
        inst.approve("ship")
        for thread in threads:
            thread.join(30)
    assert "node" in found["?nodes=true"] and "step_started" in found["?nodes=true"]
    assert found["?nodes=true"][-1] == "done"
    assert set(found[""]) <= {"state", "output", "done"}
    assert found[""][-1] == "done"


def _until(inst: o8.Instance, state: str) -> None:
    started = perf_counter()
    while inst.state != state:
        assert perf_counter() - started < 10, f"still {inst.state}"
        real_sleep(0.02)


def _read_kinds(url: str, into: list[str], opened: threading.Event) -> None:
    with httpx.stream("GET", url, timeout=30) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                into.append(json.loads(line[6:])["event"])
                opened.set()
