"""Deleting a sequence version and rebinding an instance to another one, over HTTP."""

from __future__ import annotations

import httpx
from orch8.types import TaskInstance

import orch8_nb as o8
from orch8_nb.engine import Engine

NAP = o8.sequence("nap", o8.step("s", "noop", delay="1h"))


def test_delete_a_version(api: httpx.Client, engine: Engine) -> None:
    seq = engine.upsert_sequence(NAP)
    inst = engine.create_instance(seq)
    busy = api.delete(f"/sequences/{seq.id}")
    assert busy.status_code == 409 and "1 unfinished instance" in busy.json()["error"]
    inst.cancel()
    engine.run_until_idle()
    kept = api.delete(f"/api/v1/sequences/{seq.id}")
    assert kept.status_code == 409 and "finished instance" in kept.json()["error"]
    assert api.get(f"/instances/{inst.id}").status_code == 200
    gone = api.delete(f"/sequences/{seq.id}", params={"purge": "true"})
    assert gone.status_code == 200, gone.text
    assert gone.json() == {"id": seq.id, "deleted": True, "instances_deleted": 1}
    assert api.get(f"/sequences/{seq.id}").status_code == 404
    assert api.get(f"/instances/{inst.id}").status_code == 404
    assert api.delete(f"/sequences/{seq.id}").status_code == 404
    unused = engine.upsert_sequence(o8.sequence("unused", o8.step("a", "noop")))
    assert api.delete(f"/api/v1/sequences/{unused.id}").json()["instances_deleted"] == 0
    bad = api.delete(f"/sequences/{unused.id}", params={"purge": "maybe"})
    assert bad.status_code == 422 and bad.json()["problems"][0]["path"] == "query.purge"


def test_migrate_instance(api: httpx.Client, engine: Engine) -> None:
    v1 = engine.upsert_sequence(NAP)
    v2 = engine.upsert_sequence(o8.sequence("nap", o8.step("s", "noop", delay="2h")))
    inst = engine.create_instance(v1)
    engine.tick_once()  # asleep on its delay
    body = {"instance_id": inst.id, "target_sequence_id": v2.id}
    moved = api.post("/sequences/migrate-instance", json=body)
    assert moved.status_code == 200, moved.text
    answer = moved.json()
    assert {k: answer[k] for k in ("migrated", "instance_id", "from_sequence_id",
                                   "to_sequence_id")} == {"migrated": True, "instance_id": inst.id,
                                                          "from_sequence_id": v1.id,
                                                          "to_sequence_id": v2.id}  # fmt: skip
    assert TaskInstance.model_validate(answer).sequence_id == v2.id  # what the Python SDK reads
    assert inst.snapshot().sequence_id == v2.id
    assert [a.event_type for a in inst.audit()].count("migrated") == 1


def test_migrate_instance_refusals(api: httpx.Client, engine: Engine) -> None:
    v1 = engine.upsert_sequence(NAP)
    other = engine.upsert_sequence(o8.sequence("other", o8.step("x", "noop")))
    inst = engine.create_instance(v1)
    engine.tick_once()
    url = "/api/v1/sequences/migrate-instance"
    unknown = api.post(url, json={"instance_id": "nope", "target_sequence_id": v1.id})
    assert unknown.status_code == 404
    no_target = api.post(url, json={"instance_id": inst.id, "target_sequence_id": "nap"})
    assert no_target.status_code == 404  # an id, not a name
    missing = api.post(url, json={"instance_id": inst.id, "target_sequence_id": other.id})
    assert missing.status_code == 400 and "no block 's'" in missing.json()["error"]
    wrong = api.post(url, json={"instance_id": 5, "target_sequence_id": v1.id})
    assert wrong.status_code == 422 and wrong.json()["problems"][0]["path"] == "instance_id"
    assert api.post(url, json={"instance_id": inst.id}).status_code == 422
    inst.cancel()
    engine.run_until_idle()
    done = api.post(url, json={"instance_id": inst.id, "target_sequence_id": v1.id})
    assert done.status_code == 400 and "cancelled" in done.json()["error"]
