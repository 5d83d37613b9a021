"""Budgets: limits on steps, tokens, cost and wall time pause the instance, with the reason."""

from __future__ import annotations

from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext
from orch8_nb.errors import InstanceValidationError, InvalidTransitionError


@pytest.fixture
def engine(make_engine: Any, backend: str) -> Engine:
    engine = make_engine(backend, autostart=False)

    @engine.handler("llm")
    def llm(ctx: StepContext) -> dict[str, Any]:
        return {"text": "ok", "usage": {"prompt_tokens": 100, "completion_tokens": 50,
                                        "cost_microunits": 700}}  # fmt: skip

    return engine  # type: ignore[no-any-return]


LOOP = o8.sequence("agent", o8.loop("turns", "true", [o8.step("think", "llm")], max_iterations=10))


def test_a_token_budget_pauses_with_the_reason_and_raising_it_resumes(engine: Engine) -> None:
    inst = engine.create_instance(LOOP, budget={"max_total_tokens": 400})
    engine.run_until_idle()
    assert inst.state == "paused"
    meta = inst.snapshot().metadata
    assert meta["paused_reason"] == "budget_exceeded"
    assert meta["budget_breach"] == {"limit": "max_total_tokens", "limit_value": 400,
                                     "actual": 450}  # fmt: skip
    assert meta["_usage"]["steps"] == 3
    assert [a.event_type for a in inst.audit()][-2:] == ["budget_exceeded", "state_transition"]
    inst.set_budget({"max_total_tokens": 10_000})
    inst.resume()
    engine.run_until_idle()
    assert inst.state == "completed" and inst.snapshot().metadata["_usage"]["steps"] == 10
    assert "paused_reason" not in inst.snapshot().metadata


@pytest.mark.parametrize(
    ("budget", "steps"),
    [({"max_steps": 4}, 4), ({"max_cost_microunits": 2000}, 3), ({"max_external_calls": 2}, 2)],
)
def test_each_measured_limit(engine: Engine, budget: dict[str, int], steps: int) -> None:
    inst = engine.create_instance(LOOP, budget=budget)
    engine.run_until_idle()
    assert inst.state == "paused"
    assert inst.snapshot().metadata["_usage"]["steps"] == steps


def test_wall_time_is_measured_from_the_run_start(engine: Engine) -> None:
    seq = o8.sequence("slow", o8.step("a", "noop"), o8.step("b", "noop", delay="2h"),
                      o8.step("c", "noop"))  # fmt: skip
    inst = engine.create_instance(seq, budget={"max_wall_time_ms": 3_600_000})
    engine.run_until_idle()
    assert inst.state == "paused"
    assert inst.snapshot().metadata["budget_breach"]["limit"] == "max_wall_time_ms"


def test_bad_and_unmeasured_budgets_are_refused(engine: Engine) -> None:
    with pytest.raises(InstanceValidationError, match="budget"):
        engine.create_instance(LOOP, budget={"max_steps": -1})
    with pytest.raises(o8.UnsupportedFeatureError, match=r"budget\.max_energy_millijoules"):
        engine.create_instance(LOOP, budget={"max_energy_millijoules": 5})
    inst = engine.create_instance(LOOP)
    engine.run_until_idle()
    assert inst.state == "completed" and "_usage" not in inst.snapshot().metadata


def test_the_budget_cannot_change_while_the_instance_runs(make_engine: Any) -> None:
    import threading

    engine = make_engine("sqlite://:memory:", virtual=False)
    gate, inside = threading.Event(), threading.Event()

    @engine.handler("hold")
    def hold(ctx: StepContext) -> None:
        inside.set()
        gate.wait(10)

    inst = engine.create_instance(o8.sequence("h", o8.step("h", "hold")), budget={"max_steps": 9})
    assert inside.wait(10)
    with pytest.raises(InvalidTransitionError, match="pause it before changing its budget"):
        inst.set_budget(None)
    gate.set()
    assert inst.wait(10).state == "completed"
