"""An operator's edits from a cell: deleting a sequence version, replacing an instance's
context, moving the timers of scheduled instances."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine
from orch8_nb.errors import (
    ConflictError,
    InputValidationError,
    NotFoundError,
    PayloadTooLargeError,
)

NAP = o8.sequence("nap", o8.step("s", "noop", delay="1h"))


def engine_events(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT event_type FROM audit_log WHERE instance_id IS NULL "
                            "ORDER BY seq").fetchall()  # fmt: skip
    return [r[0] for r in rows]


def test_deleting_versions(make_engine: Callable[..., Engine], tmp_path: Path) -> None:
    db = tmp_path / "del.db"
    engine = make_engine(f"sqlite:///{db}")
    v1 = engine.upsert_sequence(o8.sequence("flow", o8.step("a", "noop")))
    v2 = engine.upsert_sequence(o8.sequence("flow", o8.step("b", "noop")))
    assert engine.delete_sequence(str(v2.id)) == 0
    with pytest.raises(NotFoundError):  # not served from the parsed cache either
        engine.get_sequence(str(v2.id))
    with pytest.raises(NotFoundError):
        engine.create_instance(str(v2.id))
    assert engine.find_sequence("flow").id == v1.id  # the name falls back to what is left
    with pytest.raises(NotFoundError, match="sequence nope not found"):
        engine.delete_sequence("nope")

    inst = engine.create_instance(v1, next_fire_at=engine.clock.now_ms() + 60_000)
    with pytest.raises(ConflictError, match="1 unfinished instance"):
        engine.delete_sequence(str(v1.id), purge=True)
    inst.cancel()
    engine.run_until_idle()
    with pytest.raises(ConflictError, match="1 finished instance"):
        engine.delete_sequence(str(v1.id))
    assert engine.delete_sequence(str(v1.id), purge=True) == 1
    with pytest.raises(NotFoundError):
        engine.get_instance(inst.id)
    engine.shutdown()
    assert engine_events(db) == ["sequence_deleted", "sequence_deleted"]


def failed_instance(engine: Engine) -> o8.Instance:
    @engine.handler("picky")
    def picky(ctx: o8.StepContext) -> None:
        if not ctx.data.get("fixed"):
            raise o8.FailStep("not fixed")

    inst = engine.create_instance(o8.sequence("picky", o8.step("a", "picky")), {"n": 1},
                                  context={"config": {"region": "eu"}})  # fmt: skip
    engine.run_until_idle()
    assert inst.state == "failed"
    return inst


def test_replacing_the_context_then_retrying(engine: Engine) -> None:
    inst = failed_instance(engine)
    runtime = inst.context["runtime"]
    inst.replace_context({"data": {"fixed": True}, "audit": [{"event": "fixed by hand"}],
                          "runtime": {"ignored": True}})  # fmt: skip
    assert inst.context == {"data": {"fixed": True}, "config": {},
                            "audit": [{"event": "fixed by hand"}], "runtime": runtime}  # fmt: skip
    [entry] = [a for a in inst.audit() if a.event_type == "context_replaced"]
    assert entry.details["data_keys"] == ["fixed"]
    inst.retry()
    engine.run_until_idle()
    assert inst.state == "completed"


def test_context_replacements_that_are_refused(engine: Engine) -> None:
    inst = failed_instance(engine)
    with pytest.raises(InputValidationError) as bad:
        inst.replace_context({"data": [], "audit": {}, "extra": 1})
    assert bad.value.paths == ["context.extra", "context.data", "context.audit"]
    with pytest.raises(InputValidationError, match="context: must be an object"):
        inst.replace_context([])  # type: ignore[arg-type]
    with pytest.raises(PayloadTooLargeError, match="the limit is 262144 bytes"):
        inst.replace_context({"data": {"blob": "x" * 262_144}})
    with pytest.raises(NotFoundError):
        o8.Instance(engine, "nope").replace_context({})
    assert inst.data == {"n": 1}  # nothing refused was written


def test_a_running_instance_keeps_its_context(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine("sqlite://:memory:", autostart=False)
    inst = engine.create_instance(NAP)
    engine._thread.call(engine.aio.storage.claim_due(engine.clock.now_ms(), 1, "elsewhere"))
    assert inst.state == "running"
    with pytest.raises(ConflictError, match="running a step"):
        inst.replace_context({"data": {}})


def test_moving_timers(engine: Engine) -> None:
    now = engine.clock.now_ms()
    sleepers = [engine.create_instance(NAP) for _ in range(2)]
    later = engine.create_instance(o8.sequence("later", o8.step("a", "noop")),
                                   next_fire_at=now + 10_000)  # fmt: skip
    gate = o8.step("ask", "noop", wait_for_input=o8.human_input("ok?"))
    waiting = engine.create_instance(o8.sequence("gated", gate))
    engine.tick_once()
    assert {i.state for i in sleepers} == {"scheduled"} and waiting.state == "waiting"
    assert engine.next_timer() == now + 10_000

    nap = sleepers[0].snapshot().sequence_id
    assert engine.reschedule_instances(timedelta(minutes=-30), sequence=nap) == 2
    assert engine.next_timer() == now + 10_000  # `later`; the sleepers wake in 30 min
    assert engine.reschedule_instances("2h", sequence=later.snapshot().sequence_id) == 1
    assert engine.next_timer() == now + 1_800_000
    assert engine.reschedule_instances(5_000) == 3  # the waiting one has no timer to move
    assert engine.next_timer() == now + 1_805_000
    events = [a.event_type for a in sleepers[0].audit()]
    assert events.count("rescheduled") == 2 and "rescheduled" not in [
        a.event_type for a in waiting.audit()
    ]
    engine.run_until_idle()
    assert later.state == "completed" and {i.state for i in sleepers} == {"completed"}


def test_bad_reschedules(engine: Engine) -> None:
    with pytest.raises(InputValidationError, match="offset"):
        engine.reschedule_instances("soon")
    with pytest.raises(NotFoundError):
        engine.reschedule_instances(1_000, sequence="nope")
    assert engine.reschedule_instances(1_000) == 0
