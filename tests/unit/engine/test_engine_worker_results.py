"""A worker's result arriving while the instance's runner is busy with another branch."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import StepContext


def busy_parallel(make_engine: Any) -> tuple[Any, Any, threading.Event]:
    """An instance whose runner is busy with "s" while "w" waits for a worker; set the
    returned event to let "s" finish."""
    engine = make_engine("sqlite://:memory:", virtual=False)
    gate, inside = threading.Event(), threading.Event()

    @engine.handler("slow")
    def slow(ctx: StepContext) -> str:
        inside.set()
        gate.wait(10)
        return "slow done"

    branches = [o8.step("w", "remote")], [o8.step("s", "slow")]
    with pytest.warns(o8.UnregisteredHandlerWarning):
        seq = engine.upsert_sequence(o8.sequence("p", o8.parallel("both", *branches)))
    inst = engine.create_instance(seq)
    assert inside.wait(10)
    return engine, inst, gate


def test_a_result_during_another_branch_is_kept_and_applied(make_engine: Any) -> None:
    engine, inst, gate = busy_parallel(make_engine)
    [task] = _poll(engine)
    assert inst.state == "running"  # its runner is busy with "s"
    engine.complete_task(task.id, "w1", {"answer": 42})
    gate.set()
    assert inst.wait(10).state == "completed"
    assert inst.outputs["w"] == {"answer": 42} and inst.outputs["s"] == "slow done"
    assert inst.data == {"answer": 42}  # a worker's output merges into context.data


def test_a_failure_during_another_branch_fails_the_parallel(make_engine: Any) -> None:
    engine, inst, gate = busy_parallel(make_engine)
    [task] = _poll(engine)
    engine.fail_task(task.id, "w1", "upstream said no")
    gate.set()
    assert inst.wait(10).state == "failed"
    assert inst.error is not None and inst.error["message"] == "upstream said no"


def _poll(engine: Any) -> list[Any]:
    for _ in range(200):
        tasks = engine.poll_tasks("remote", "w1")
        if tasks:
            return tasks  # type: ignore[no-any-return]
        threading.Event().wait(0.01)
    raise AssertionError("the worker task never appeared")


def test_a_timer_in_another_branch_keeps_its_time_while_a_worker_works(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", autostart=False)
    branches = [o8.step("w", "remote")], [o8.step("later", "noop", delay="1h")]
    with pytest.warns(o8.UnregisteredHandlerWarning):
        seq = engine.upsert_sequence(o8.sequence("t", o8.parallel("both", *branches)))
    inst = engine.create_instance(seq)
    engine.tick_once()
    assert inst.state == "scheduled"  # sleeping until the delay, with the worker task out
    engine.run_until_idle()
    states = {n.block_id: str(n.state) for n in inst.tree()}
    assert (inst.state, states["later"], states["w"]) == ("waiting", "completed", "waiting")
    [task] = engine.poll_tasks("remote", "w1")
    engine.complete_task(task.id, "w1", {"ok": True})
    engine.run_until_idle()
    assert inst.state == "completed"
