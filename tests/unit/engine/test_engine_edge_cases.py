"""Edge cases found in review: signal ordering, worker results, tenants, stale handles."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from orch8_nb.engine import Engine, StepContext, VirtualClock
from orch8_nb.errors import NotFoundError


def one_step(handler: str, name: str = "edge", **fields: Any) -> dict[str, Any]:
    return {"name": name, "blocks": [{"type": "step", "id": "s", "handler": handler, **fields}]}


def waiting_on_worker(engine: Engine, **fields: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inst = engine.create_instance(one_step("remote", **fields))
    engine.run_until_idle()
    assert inst.state == "waiting"
    return inst


def test_pause_then_resume_on_a_waiting_instance_cancels_out(engine: Engine) -> None:
    inst = waiting_on_worker(engine)
    inst.pause()
    engine.run_until_idle()
    inst.resume()
    engine.run_until_idle()
    [task] = engine.poll_tasks("remote", "w")
    engine.complete_task(task.id, "w", {"ok": True})
    engine.run_until_idle()
    assert inst.state == "completed"


def test_pause_on_a_waiting_instance_applies_when_it_runs_again(engine: Engine) -> None:
    inst = waiting_on_worker(engine, name="p2")
    inst.pause()
    engine.run_until_idle()
    assert inst.state == "waiting"
    [task] = engine.poll_tasks("remote", "w")
    engine.complete_task(task.id, "w", {"ok": True})
    engine.run_until_idle()
    assert inst.state == "paused"
    inst.resume()
    engine.run_until_idle()
    assert inst.state == "completed"


def test_rejected_worker_output_is_not_merged(engine: Engine) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    inst = waiting_on_worker(engine, output_schema=schema)
    [task] = engine.poll_tasks("remote", "w")
    engine.complete_task(task.id, "w", {"n": "nope", "leak": 1})
    engine.run_until_idle()
    assert inst.state == "failed"
    assert "leak" not in inst.data


def test_cancel_waits_for_a_non_cancellable_worker_step(engine: Engine) -> None:
    inst = waiting_on_worker(engine, cancellable=False)
    inst.cancel()
    engine.run_until_idle()
    assert inst.state == "waiting"  # the payment is still out with the worker
    [task] = engine.poll_tasks("remote", "w")
    engine.complete_task(task.id, "w", {"charged": True})
    engine.run_until_idle()
    assert inst.state == "cancelled"
    assert inst.outputs == {"s": {"charged": True}}  # the result was kept


def test_cancel_of_an_instance_sleeping_on_a_delay_applies_now(engine: Engine) -> None:
    inst = engine.create_instance(one_step("noop", delay={"duration": "3d"}))
    engine.tick_once()
    assert inst.state == "scheduled"
    start = engine.clock.now_ms()
    inst.cancel()
    engine.tick_once()
    assert inst.state == "cancelled"
    assert engine.clock.now_ms() - start < 1000  # no waiting for the timer


def test_pause_of_an_instance_sleeping_on_a_delay(engine: Engine) -> None:
    inst = engine.create_instance(one_step("noop", name="slp", delay={"duration": "1h"}))
    engine.tick_once()
    inst.pause()
    engine.tick_once()
    assert inst.state == "paused"
    inst.resume()
    engine.run_until_idle()
    assert inst.state == "completed"


def test_error_rows_keep_the_failing_attempt(engine: Engine) -> None:
    @engine.handler("always")
    def always(ctx: StepContext) -> None:
        raise RuntimeError("no")

    policy = {"max_attempts": 3, "initial_backoff": 1, "max_backoff": 1}
    inst = engine.create_instance(one_step("always", retry=policy))
    engine.run_until_idle()
    error_rows = [r for r in inst.output_rows() if r.output_ref == "__error__"]
    assert [r.attempt for r in error_rows] == [2]


def test_context_merges_are_capped(engine: Engine) -> None:
    inst = engine.create_instance(one_step("noop"), next_fire_at=engine.clock.now_ms() + 10_000)
    inst.update_context({"blob": "x" * 200_000})
    inst.update_context({"blob2": "y" * 200_000})
    engine.run_until_idle()
    assert inst.state == "completed"
    assert "blob" in inst.data and "blob2" not in inst.data
    refused = [a for a in inst.audit() if a.event_type == "context_merge_refused"]
    assert len(refused) == 1


def test_engine_tenant_and_namespace_apply_to_unnamed_definitions(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", tenant_id="acme", namespace="ops")
    seq = engine.upsert_sequence(one_step("noop", name="t"))
    assert (seq.tenant_id, seq.namespace) == ("acme", "ops")
    inst = engine.run("t")
    assert inst.snapshot().tenant_id == "acme"
    assert engine.counts() == {"completed": 1}
    assert [i.id for i in engine.list_instances(sequence=seq)] == [inst.id]


def test_list_instances_refuses_an_unknown_sequence_reference(engine: Engine) -> None:
    engine.run(one_step("noop", name="known"))
    with pytest.raises(NotFoundError):
        engine.list_instances(sequence="known")  # a name, not a version id


def test_handles_from_a_replaced_engine_keep_working(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    first = Engine(url, clock=VirtualClock())
    inst = first.create_instance(one_step("noop"), next_fire_at=first.clock.now_ms() + 5)
    second = Engine(url, clock=VirtualClock(start_ms=first.clock.now_ms() + 10))
    try:
        second.run_until_idle()
        assert inst.state == "completed"  # the old handle reaches the new engine
        assert inst.wait(5) is inst
    finally:
        second.shutdown()
    with pytest.raises(RuntimeError, match="has been shut down"):
        _ = inst.state
