"""Operating on instances over HTTP (state, resume-from, fork, checkpoints, injection,
DLQ), worker task listings and Prometheus metrics."""

from __future__ import annotations

import httpx

import orch8_nb as o8
from orch8_nb.engine import Engine

FLAKY = o8.sequence("flaky", o8.step("a", "noop"), o8.step("b", "boom"))


def failed_instance(engine: Engine) -> o8.Instance:
    @engine.handler("boom")
    def boom(ctx: o8.StepContext) -> None:
        if not ctx.data.get("fixed"):
            raise o8.FailStep("not yet")

    inst = engine.create_instance(FLAKY)
    engine.run_until_idle()
    assert inst.state == "failed"
    return inst


def test_dlq_resume_from_and_fork(api: httpx.Client, engine: Engine) -> None:
    inst = failed_instance(engine)
    assert [i["id"] for i in api.get("/instances/dlq").json()] == [inst.id]
    forked = api.post(f"/instances/{inst.id}/fork", json={"from_block_id": "b",
                                                          "data": {"fixed": True}})  # fmt: skip
    assert forked.status_code == 201 and forked.json()["id"] != inst.id
    resumed = api.post(f"/api/v1/instances/{inst.id}/resume-from/b", json={"data": {"fixed": True}})
    assert resumed.status_code == 200, resumed.text
    engine.run_until_idle()
    assert inst.state == "completed"
    assert engine.get_instance(forked.json()["id"]).state == "completed"
    assert api.post(f"/instances/{inst.id}/fork", json={}).status_code == 400


def test_state_changes_go_through_signals(api: httpx.Client, engine: Engine) -> None:
    inst = engine.create_instance(o8.sequence("nap", o8.step("s", "noop", delay="1h")))
    engine.tick_once()  # it reaches the delay and sleeps
    paused = api.patch(f"/instances/{inst.id}/state", json={"state": "paused"})
    assert paused.status_code == 200 and paused.json()["signal_id"]
    engine.tick_once()
    assert inst.state == "paused"
    refused = api.patch(f"/instances/{inst.id}/state", json={"state": "completed"})
    assert refused.status_code == 400 and "cannot be set" in refused.json()["error"]


def test_checkpoints_and_injected_blocks(api: httpx.Client, engine: Engine) -> None:
    gate = o8.step("ask", "noop", wait_for_input=o8.human_input("ok?"))
    inst = engine.create_instance(o8.sequence("gated", gate))
    engine.run_until_idle()  # it waits for a person
    url = f"/instances/{inst.id}/checkpoints"
    for n in range(3):
        assert api.post(url, json={"checkpoint_data": {"n": n}}).status_code == 201
    assert [c["checkpoint_data"] for c in api.get(url).json()] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert api.get(url + "/latest").json()["checkpoint_data"] == {"n": 2}
    assert api.post(url + "/prune", json={"keep": 1}).json() == {"deleted": 2}
    extra = {"blocks": [{"type": "step", "id": "extra", "handler": "noop"}]}
    injected = api.post(f"/instances/{inst.id}/inject-blocks", json=extra)
    assert injected.status_code == 200, injected.text
    bad = api.post(f"/instances/{inst.id}/inject-blocks", json={"blocks": [{"type": "step"}]})
    assert bad.status_code == 422


def test_worker_task_listing_stats_and_metrics(api: httpx.Client, engine: Engine) -> None:
    seq = {"name": "ext", "blocks": [{"type": "step", "id": "x", "handler": "external"}]}
    made = api.post("/sequences", json=seq).json()
    for _ in range(3):
        api.post("/instances", json={"sequence_id": made["id"]})
    engine.run_until_idle()
    api.post("/workers/tasks/poll", json={"handler_name": "external", "worker_id": "w"})
    tasks = api.get("/workers/tasks?handler_name=external").json()
    assert sorted(t["state"] for t in tasks) == ["claimed", "pending", "pending"]
    stats = api.get("/workers/tasks/stats").json()
    assert stats["by_state"] == {"claimed": 1, "pending": 2} and stats["total"] == 3
    [worker] = api.get("/api/v1/workers").json()
    assert worker["worker_id"] == "w" and worker["handlers"] == ["external"]
    assert worker["alive"] is True and worker["tasks_claimed"] == 1
    metrics = api.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'orch8_instances{state="waiting"} 3' in metrics.text


def test_sessions_and_circuit_breakers(api: httpx.Client, engine: Engine) -> None:
    made = api.post("/sessions", json={"session_key": "cart-7", "data": {"items": 1}})
    assert made.status_code == 201
    session = made.json()
    assert (session["session_key"], session["data"], session["state"]) == ("cart-7", {"items": 1},
                                                                           "active")  # fmt: skip
    assert api.post("/sessions", json={"session_key": "cart-7"}).status_code == 409
    assert api.get("/sessions/by-key/default/cart-7").json()["id"] == session["id"]
    assert api.get("/sessions/by-key/acme/cart-7").status_code == 403
    merged = api.patch(f"/sessions/{session['id']}/data", json={"data": {"paid": True}}).json()
    assert merged["data"] == {"items": 1, "paid": True}
    assert api.patch(f"/sessions/{session['id']}/state", json={"state": "paused"}).json()[
        "state"] == "paused"  # fmt: skip
    assert api.get(f"/sessions/{session['id']}/instances").json() == []
    assert [s["session_key"] for s in api.get("/sessions").json()] == ["cart-7"]
    assert api.get("/sessions/missing").status_code == 404
    assert api.get("/circuit-breakers").json() == []
    assert api.post("/circuit-breakers/charge/reset").json() == {"handler": "charge",
                                                                 "state": "closed"}  # fmt: skip


def test_circuit_breakers_by_handler_and_by_tenant(api: httpx.Client, engine: Engine) -> None:
    engine.aio.services.breakers.record("charge", False, "handler")
    [one] = api.get("/circuit-breakers").json()
    assert (one["handler"], one["state"], one["failures"]) == ("charge", "closed", 1)
    assert api.get("/circuit-breakers/charge").json() == one
    assert api.get("/tenants/default/circuit-breakers").json() == [one]
    assert api.get("/tenants/default/circuit-breakers/charge").json() == one
    missing = api.get("/tenants/default/circuit-breakers/other")
    assert missing.status_code == 404 and "never failed" in missing.json()["error"]
    for path in ("/tenants/acme/circuit-breakers", "/tenants/acme/circuit-breakers/charge"):
        refused = api.get(path)
        assert refused.status_code == 403 and refused.json() == {
            "error": "tenant 'acme' is not served here"}  # fmt: skip
    assert api.post("/tenants/acme/circuit-breakers/charge/reset").status_code == 403
    assert api.get("/circuit-breakers/charge").json()["failures"] == 1  # not reset by acme
    reset = api.post("/tenants/default/circuit-breakers/charge/reset")
    assert reset.json() == {"handler": "charge", "state": "closed"}
    assert api.get("/circuit-breakers").json() == []


def test_batch_actions_over_a_filter(api: httpx.Client, engine: Engine) -> None:
    napping = engine.upsert_sequence(o8.sequence("nap", o8.step("s", "noop", delay="1h")))
    insts = [engine.create_instance(napping) for _ in range(3)]
    engine.tick_once()
    flt = {"sequence_id": napping.id, "states": ["scheduled"]}
    dry = api.post("/instances/batch-action", json={"filter": flt, "action": "pause",
                                                    "dry_run": True}).json()  # fmt: skip
    assert dry == {"matched": 3, "applied": 0, "skipped": 0, "failed": 0, "dry_run": True}
    done = api.post("/api/v1/instances/batch-action", json={"filter": flt, "action": "cancel"})
    assert done.json() == {"matched": 3, "applied": 3, "skipped": 0, "failed": 0,
                           "dry_run": False}  # fmt: skip
    engine.tick_once()
    assert {i.state for i in insts} == {"cancelled"}
    pause_all = {"filter": {"sequence_id": napping.id}, "action": "pause"}
    again = api.post("/instances/batch-action", json=pause_all).json()
    assert again["matched"] == 3 and again["skipped"] == 3  # finished: nothing to pause
    assert api.post("/instances/batch-action", json={"action": "signal"}).status_code == 422
    bulk = api.patch("/instances/bulk/state", json={"filter": flt, "state": "paused"}).json()
    assert bulk == {"count": 0, "updated": 0}  # none is scheduled any more
    assert api.patch("/instances/bulk/state", json={"state": "done"}).status_code == 400
