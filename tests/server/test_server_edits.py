"""Replacing an instance's context, dead-letter groups and moving timers, over HTTP."""

from __future__ import annotations

import httpx

import orch8_nb as o8
from orch8_nb.engine import Engine


def failing(engine: Engine, count: int) -> list[o8.Instance]:
    @engine.handler("boom")
    def boom(ctx: o8.StepContext) -> None:
        if not ctx.data.get("fixed"):
            raise o8.FailStep(f"order {ctx.data['order']} not yet")

    seq = o8.sequence("flaky", o8.step("b", "boom"))
    made = [engine.create_instance(seq, {"order": n}) for n in range(count)]
    engine.run_until_idle()
    assert {i.state for i in made} == {"failed"}
    return made


def test_replace_the_context(api: httpx.Client, engine: Engine) -> None:
    [inst] = failing(engine, 1)
    body = {"context": {"data": {"order": 7, "fixed": True}, "config": {"tier": "gold"}}}
    replaced = api.patch(f"/instances/{inst.id}/context", json=body)
    assert replaced.status_code == 200, replaced.text
    context = replaced.json()["context"]
    assert (context["data"], context["config"], context["audit"]) == (
        {"order": 7, "fixed": True}, {"tier": "gold"}, [])  # fmt: skip
    assert "context_replaced" in [a["event"] for a in api.get(f"/instances/{inst.id}/audit").json()]
    engine.get_instance(inst.id).retry()
    engine.run_until_idle()
    assert inst.state == "completed"


def test_context_refusals(api: httpx.Client, engine: Engine) -> None:
    [inst] = failing(engine, 1)
    url = f"/api/v1/instances/{inst.id}/context"
    assert api.patch("/instances/nope/context", json={"context": {}}).status_code == 404
    big = api.patch(url, json={"context": {"data": {"blob": "x" * 300_000}}})
    assert big.status_code == 413 and "262144" in big.json()["error"]
    bad = api.patch(url, json={"context": {"data": [1], "extra": {}}})
    assert bad.status_code == 422
    assert [p["path"] for p in bad.json()["problems"]] == ["context.extra", "context.data"]
    shape = api.patch(url, json={"context": "data"})
    assert shape.status_code == 422 and shape.json()["problems"][0]["path"] == "context"
    assert api.patch(url, json={"data": {}}).status_code == 422
    assert inst.data == {"order": 0}


def test_a_running_instance_is_a_conflict(api: httpx.Client, engine: Engine) -> None:
    inst = engine.create_instance(o8.sequence("a", o8.step("a", "noop")))
    engine._thread.call(engine.aio.storage.claim_due(engine.clock.now_ms(), 1, "elsewhere"))
    busy = api.patch(f"/instances/{inst.id}/context", json={"context": {"data": {}}})
    assert busy.status_code == 409 and "running a step" in busy.json()["error"]


def test_dlq_groups_and_their_retry(api: httpx.Client, engine: Engine) -> None:
    made = failing(engine, 3)
    [group] = api.get("/instances/dlq/groups").json()
    assert group["count"] == 3 and group["message"] == "order <n> not yet"
    url = f"/instances/dlq/groups/{group['fingerprint']}/retry"
    sample = api.post(url, params={"sample": "true"})
    assert sample.status_code == 200, sample.text
    assert sample.json()["count"] == 1 and sample.json()["sample"] is True
    engine.run_until_idle()  # fails again: still not fixed
    for inst in made:
        inst.replace_context({"data": {"order": 1, "fixed": True}})
    everyone = api.post(f"/api/v1{url}").json()
    assert everyone["count"] == 3 and sorted(everyone["instance_ids"]) == sorted(i.id for i in made)
    engine.run_until_idle()
    assert {i.state for i in made} == {"completed"}
    assert api.get("/api/v1/instances/dlq/groups").json() == []
    assert api.post(url).status_code == 404
    assert api.post(url, params={"sample": "often"}).status_code == 422


def test_bulk_reschedule(api: httpx.Client, engine: Engine) -> None:
    nap = engine.upsert_sequence(o8.sequence("nap", o8.step("s", "noop", delay="1h")))
    sleepers = [engine.create_instance(nap) for _ in range(2)]
    engine.tick_once()
    now = engine.clock.now_ms()
    flt = {"sequence_id": nap.id}
    moved = api.patch("/instances/bulk/reschedule", json={"filter": flt, "offset_secs": 600})
    assert moved.status_code == 200, moved.text
    assert moved.json() == {"count": 2, "updated": 2}
    assert engine.next_timer() == now + 3_600_000 + 600_000
    back = {"filter": {**flt, "states": ["scheduled", "paused"]}, "offset_secs": -600}
    assert api.patch("/api/v1/instances/bulk/reschedule", json=back).json()["count"] == 2
    none = {"filter": {"states": ["waiting"]}, "offset_secs": 60}
    assert api.patch("/instances/bulk/reschedule", json=none).json()["count"] == 0
    sleepers[0].pause()
    engine.tick_once()
    assert api.patch("/instances/bulk/reschedule", json={"offset_secs": 1}).json()["count"] == 1
    [entry] = [a for a in sleepers[1].audit() if a.event_type == "rescheduled"][-1:]
    assert entry.details["offset_ms"] == 1_000


def test_bulk_reschedule_refusals(api: httpx.Client, engine: Engine) -> None:
    url = "/instances/bulk/reschedule"
    unknown = api.patch(url, json={"filter": {"sequence_id": "nope"}, "offset_secs": 1})
    assert unknown.status_code == 404
    other = api.patch(url, json={"filter": {"tenant_id": "acme"}, "offset_secs": 1})
    assert other.status_code == 403
    for bad in ({"offset_secs": "soon"}, {"offset_secs": 10**20}, {}, {"offset_secs": 1.5}):
        answer = api.patch(url, json=bad)
        assert answer.status_code == 422, bad
        assert answer.json()["problems"][0]["path"] == "offset_secs"
