"""The REST API on a real server on loopback (``engine.serve``): Orch8's routes and bodies, both
prefixes, error bodies with field paths, size cap, API-key auth on every route, and the
worker protocol with ``claim_epoch`` fencing."""

from __future__ import annotations

from typing import Any

import httpx

import orch8_nb as o8
from orch8_nb.engine import Engine

HELLO = {"type": "step", "id": "hello", "handler": "say_hello", "params": {"who": "{{ data.who }}"}}
GREET = {"name": "greet", "blocks": [HELLO]}


def register(api: httpx.Client) -> dict[str, Any]:
    done = api.post("/api/v1/sequences", json=GREET)
    assert done.status_code == 201, done.text
    return dict(done.json())


def test_health_and_info(api: httpx.Client) -> None:
    assert api.get("/health/live").json() == {"status": "ok"}
    assert api.get("/health/ready").json() == {"status": "ok"}
    info = api.get("/info").json()
    assert info["engine"] == "orch8-nb" and info["storage_schema_version"] >= 4


def test_sequences_register_read_and_name_the_missing_handler(api: httpx.Client) -> None:
    seq = register(api)
    assert seq["name"] == "greet" and seq["version"] == 1 and seq["id"]
    assert "say_hello" in seq["warnings"][0]
    assert register(api)["id"] == seq["id"]  # the same blocks: the same version
    for path in (f"/api/v1/sequences/{seq['id']}", f"/sequences/{seq['id']}",
                 "/sequences/by-name?name=greet"):  # fmt: skip
        assert api.get(path).json()["id"] == seq["id"]
    assert [s["version"] for s in api.get("/sequences/versions?name=greet").json()] == [1]
    api.post("/sequences", json={**GREET, "name": "other"})
    listed = api.get("/sequences?limit=1").json()
    assert [s["name"] for s in listed["items"]] == ["greet"] and listed["has_more"] is True
    assert [s["name"] for s in api.get("/sequences?name=other").json()["items"]] == ["other"]
    newer = api.post("/sequences", json={**GREET, "blocks": [{**HELLO, "id": "hi"}]}).json()
    assert newer["version"] == 2
    assert api.post(f"/sequences/{newer['id']}/deprecate").json()["deprecated"] is True
    assert api.get("/sequences/by-name?name=greet").json()["version"] == 1
    missing = api.get("/sequences/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["error"]


def test_instances_create_dedupe_list_and_read(api: httpx.Client, engine: Engine) -> None:
    seq = register(api)
    body = {"sequence_id": seq["id"], "context": {"data": {"who": "ada"}}, "priority": 2,
            "idempotency_key": "k1"}  # fmt: skip
    first = api.post("/instances", json=body)
    assert first.status_code == 201
    inst = first.json()
    assert inst["priority"] == 2 and inst["state"] == "scheduled" and not inst["deduplicated"]
    again = api.post("/instances", json=body).json()
    assert again["id"] == inst["id"] and again["deduplicated"] is True
    batch = api.post("/instances/batch", json={"instances": [
        {"sequence_id": seq["id"]}, {"sequence_id": seq["id"]}]})  # fmt: skip
    assert batch.status_code == 201 and batch.json()["count"] == batch.json()["created"] == 2
    listed = api.get("/instances?state=scheduled,running&limit=2").json()
    assert len(listed["items"]) == 2 and listed["has_more"] is True
    assert api.get(f"/api/v1/instances/{inst['id']}").json()["context"]["data"] == {"who": "ada"}
    engine.run_until_idle()
    assert api.get(f"/instances/{inst['id']}").json()["state"] == "waiting"  # on a worker
    tree = api.get(f"/instances/{inst['id']}/tree").json()
    assert [(n["block_id"], n["state"]) for n in tree] == [("hello", "waiting")]
    audit = api.get(f"/instances/{inst['id']}/audit").json()
    assert audit[0]["event"] == audit[0]["event_type"] == "state_transition"
    assert api.get(f"/instances/{inst['id']}/children").json() == []


def test_signals_and_approvals(api: httpx.Client, engine: Engine) -> None:
    gated = engine.upsert_sequence(o8.sequence("gated", o8.step(
        "ship", "noop", wait_for_input=o8.human_input("Ship it?"))))  # fmt: skip
    inst = engine.create_instance(gated)
    engine.run_until_idle()
    [item] = api.get("/approvals").json()["items"]
    assert item["block_id"] == "ship" and item["prompt"] == "Ship it?"
    answer = {"signal_type": "custom:human_input:ship", "payload": {"value": "yes"}}
    sent = api.post(f"/instances/{inst.id}/signals", json=answer)
    assert sent.status_code == 201 and sent.json()["signal_id"]
    engine.run_until_idle()
    assert inst.state == "completed"
    done = api.post(f"/instances/{inst.id}/signals", json={"signal_type": "pause"})
    assert done.status_code == 400 and "non-terminal" in done.json()["error"]


def test_bad_requests_name_the_field(api: httpx.Client) -> None:
    bad_json = api.post(
        "/instances", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400 and bad_json.json()["error"].startswith("malformed JSON")
    wrong = api.post("/instances", json={"sequence_id": 7, "priority": "soon", "colour": "red"})
    assert wrong.status_code == 422
    paths = {p["path"] for p in wrong.json()["problems"]}
    assert {"sequence_id", "colour"} <= paths
    unknown = api.post("/instances", json={"sequence_id": "missing"})
    assert unknown.status_code == 404
    invalid = api.post("/sequences", json={"name": "x", "blocks": [{"type": "step"}]})
    assert invalid.status_code == 422 and "blocks[0]" in invalid.json()["error"]
    big = api.post("/sequences", content=b" " * (11 * 2**20),
                   headers={"content-type": "application/json"})  # fmt: skip
    assert big.status_code == 413


def test_the_worker_protocol_fences_stale_leases(api: httpx.Client, engine: Engine) -> None:
    seq = register(api)
    inst = api.post("/instances", json={"sequence_id": seq["id"],
                                        "context": {"data": {"who": "bo"}}}).json()  # fmt: skip
    engine.run_until_idle()
    poll = {"handler_name": "say_hello", "worker_id": "w1", "limit": 5}
    [task] = api.post("/workers/tasks/poll", json=poll).json()
    assert task["params"] == {"who": "bo"} and task["worker_id"] == "w1" and task["created_at"]
    epoch = task["claim_epoch"]
    url = f"/workers/tasks/{task['id']}"
    assert api.post(url + "/heartbeat", json={"worker_id": "w1"}).status_code == 200
    assert api.post(url + "/heartbeat", json={"worker_id": "w2"}).status_code == 409
    stale = api.post(url + "/complete", json={"worker_id": "w1", "claim_epoch": epoch + 1,
                                              "output": {}})  # fmt: skip
    assert stale.status_code == 409
    other = api.post(url + "/complete", json={"worker_id": "w2", "output": {}})
    assert other.status_code == 409
    ok = api.post(url + "/complete", json={"worker_id": "w1", "output": {"text": "hi bo"}})
    assert ok.status_code == 200, ok.text
    engine.run_until_idle()
    assert api.get(f"/instances/{inst['id']}").json()["state"] == "completed"
    outputs = api.get(f"/instances/{inst['id']}/outputs").json()
    assert [(o["block_id"], o["output"]) for o in outputs] == [("hello", {"text": "hi bo"})]


def test_a_failed_task_fails_the_instance_and_retry_runs_it_again(
    api: httpx.Client, engine: Engine
) -> None:
    seq = register(api)
    inst = api.post("/instances", json={"sequence_id": seq["id"]}).json()
    engine.run_until_idle()
    poll = {"handler_name": "say_hello", "worker_id": "w"}
    [task] = api.post("/workers/tasks/poll", json=poll).json()
    failed = api.post(f"/workers/tasks/{task['id']}/fail",
                      json={"worker_id": "w", "message": "no such user"})  # fmt: skip
    assert failed.status_code == 200
    engine.run_until_idle()
    assert api.get(f"/instances/{inst['id']}").json()["state"] == "failed"
    again = api.post(f"/instances/{inst['id']}/retry")
    assert again.status_code == 200 and again.json()["state"] in ("scheduled", "running")


def test_every_route_refuses_a_missing_or_wrong_key(engine: Engine) -> None:
    with engine.serve(port=0, api_key="s3cret") as server, httpx.Client(base_url=server.url) as api:
        spec = api.get("/api-docs/openapi.json").json()
        routes = [(method, path) for path, ops in spec["paths"].items() for method in ops]
        assert len(routes) >= 20
        for method, path in routes:
            concrete = path.replace("{", "").replace("}", "")
            if path.startswith("/health"):
                continue
            for headers in ({}, {"x-api-key": "wrong"}, {"authorization": "Bearer wrong"}):
                answer = api.request(method, concrete, headers=headers)
                assert answer.status_code == 401, (method, path, headers)
                assert answer.json() == {"error": "missing or wrong API key"}
            bare = api.request(method, concrete.removeprefix("/api/v1"))
            assert bare.status_code == 401, (method, path)
        ok = api.get("/info", headers={"x-api-key": "s3cret"})
        assert ok.status_code == 200
        assert api.get("/info", headers={"authorization": "Bearer s3cret"}).status_code == 200


def test_queue_polls_see_only_their_queue(api: httpx.Client, engine: Engine) -> None:
    queued = {"name": "gpu", "blocks": [{**HELLO, "queue_name": "gpu"}]}
    seq = api.post("/sequences", json=queued).json()
    api.post("/instances", json={"sequence_id": seq["id"]})
    engine.run_until_idle()
    poll = {"handler_name": "say_hello", "worker_id": "w"}
    assert api.post("/workers/tasks/poll/queue", json={**poll, "queue_name": "cpu"}).json() == []
    [task] = api.post("/workers/tasks/poll/queue", json={**poll, "queue_name": "gpu"}).json()
    assert task["queue_name"] == "gpu"


def test_another_tenant_learns_nothing(api: httpx.Client) -> None:
    seq = register(api)
    inst = api.post("/instances", json={"sequence_id": seq["id"]}).json()
    other = {"x-tenant-id": "acme"}
    for path in (f"/instances/{inst['id']}", "/instances/missing", f"/sequences/{seq['id']}"):
        refused = api.get(path, headers=other)
        assert refused.status_code == 403, path
        assert refused.json() == {"error": "tenant 'acme' is not served here"}
    assert api.get("/instances?tenant_id=acme").status_code == 403
    body = {"sequence_id": seq["id"], "tenant_id": "acme"}
    assert api.post("/instances", json=body).status_code == 403
    mine = api.get(f"/instances/{inst['id']}", headers={"x-tenant-id": "default"})
    assert mine.status_code == 200


def test_unstorable_text_and_numbers_are_bad_requests(api: httpx.Client) -> None:
    seq = register(api)
    surrogate = b'{"sequence_id": "%s", "idempotency_key": "\\udbde"}' % seq["id"].encode()
    bad_text = api.post(
        "/instances", content=surrogate, headers={"content-type": "application/json"}
    )
    assert bad_text.status_code == 400 and "not valid Unicode" in bad_text.json()["error"]
    huge = {"worker_id": "w", "claim_epoch": 2**70}
    assert api.post("/workers/tasks/t/heartbeat", json=huge).status_code == 422


def test_cors_is_off_unless_origins_are_given(engine: Engine) -> None:
    origin = {"origin": "http://app.example"}
    preflight = {**origin, "access-control-request-method": "POST",
                 "access-control-request-headers": "x-api-key,content-type"}  # fmt: skip
    with engine.serve(port=0, api_key="k") as server, httpx.Client(base_url=server.url) as api:
        plain = api.get("/health/live", headers=origin)
        assert "access-control-allow-origin" not in plain.headers
        unlisted = api.options("/instances", headers=preflight)
        assert "access-control-allow-origin" not in unlisted.headers
    with engine.serve(port=0, api_key="k", cors_origins=["http://app.example"]) as server, \
            httpx.Client(base_url=server.url) as api:  # fmt: skip
        allowed = api.options("/api/v1/instances", headers=preflight)  # no key on a preflight
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "http://app.example"
        assert "x-api-key" in allowed.headers["access-control-allow-headers"].lower()
        got = api.get("/api/v1/instances", headers={**origin, "x-api-key": "k"})
        assert got.status_code == 200
        assert got.headers["access-control-allow-origin"] == "http://app.example"
        refused = api.get("/api/v1/instances", headers=origin)  # the key is still needed
        assert refused.status_code == 401
        other = api.options("/api/v1/instances", headers={**preflight, "origin": "http://evil"})
        assert "access-control-allow-origin" not in other.headers
