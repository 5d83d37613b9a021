"""Circuit breakers per handler, driven by the virtual clock."""

from __future__ import annotations

from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext, VirtualClock
from orch8_nb.engine.breakers import CircuitBreakers

MINUTE = 60_000


@pytest.fixture
def engine(make_engine: Any) -> Engine:
    return make_engine("sqlite://:memory:", autostart=False)  # type: ignore[no-any-return]


def test_transitions_closed_open_half_open_closed_and_back_to_open() -> None:
    clock = VirtualClock()
    b = CircuitBreakers(clock)
    for _ in range(4):
        assert b.record("api", False, "handler") is None
    assert b.admit("api") is None
    assert b.record("api", False, "timeout") == "open"
    opened = clock.now_ms()
    assert b.admit("api") == opened + MINUTE
    clock.advance(MINUTE - 1)
    assert b.admit("api") == opened + MINUTE
    clock.advance(1)
    assert b.admit("api") is None  # the probe
    assert b.states()[0]["state"] == "half_open"
    assert b.admit("api") == clock.now_ms() + 1_000  # others wait for the probe
    assert b.record("api", False, "handler") == "open"  # the probe failed
    clock.advance(MINUTE)
    assert b.admit("api") is None
    assert b.record("api", True) == "closed"
    assert b.states() == [{"handler": "api", "state": "closed", "failures": 0,
                           "opened_at": None, "open_until": None, "trips": 2}]  # fmt: skip


def test_only_the_dependency_s_failures_count() -> None:
    b = CircuitBreakers(VirtualClock())
    for _ in range(10):
        b.record("api", False, "template")
        b.record("api", False, "output_schema")
        b.record("noop", False, "handler")  # untracked built-in
    assert b.admit("api") is None and b.states() == []  # nothing was counted


def test_an_open_breaker_holds_steps_back_durably_then_probes(engine: Engine) -> None:
    healthy = [False]

    @engine.handler("pay")
    def pay(ctx: StepContext) -> str:
        if not healthy[0]:
            raise o8.FailStep("gateway down")
        return "paid"

    seq = o8.sequence("order", o8.step("charge", "pay"))
    failed = [engine.create_instance(seq) for _ in range(5)]
    engine.run_until_idle()
    assert {i.state for i in failed} == {"failed"}
    [state] = engine.circuit_breakers()
    assert (state["state"], state["failures"]) == ("open", 5)
    held = engine.create_instance(seq)
    engine.tick_once()
    assert held.state == "scheduled"  # waiting for the breaker, not calling the gateway
    assert [a.event_type for a in held.audit()][-2] == "breaker_wait"
    healthy[0] = True
    engine.run_until_idle()  # the clock jumps to the end of the cooldown; the probe succeeds
    assert held.state == "completed" and held.outputs["charge"] == "paid"
    assert engine.circuit_breakers()[0]["state"] == "closed"
    assert any(a.event_type == "breaker_closed" for a in held.audit())
    assert engine.clock.now_ms() - state["opened_at"] >= MINUTE


def test_a_fallback_handler_runs_while_the_breaker_is_open(engine: Engine) -> None:
    @engine.handler("primary")
    def primary(ctx: StepContext) -> str:
        raise o8.FailStep("down")

    @engine.handler("backup")
    def backup(ctx: StepContext) -> str:
        return f"backup for {ctx.params['q']}"

    seq = o8.sequence(
        "ask", o8.step("answer", "primary", params={"q": "x"}, fallback_handler="backup")
    )
    for _ in range(5):
        engine.create_instance(seq)
    engine.run_until_idle()
    inst = engine.create_instance(seq)
    engine.run_until_idle()
    assert inst.state == "completed" and inst.outputs["answer"] == "backup for x"
    assert any(a.event_type == "breaker_fallback" for a in inst.audit())
    assert engine.circuit_breakers()[0]["failures"] == 5  # fallback calls do not count
    engine.reset_circuit_breaker("primary")
    assert engine.circuit_breakers() == []


def test_worker_failures_feed_the_breaker(engine: Engine) -> None:
    with pytest.warns(o8.UnregisteredHandlerWarning):
        seq = engine.upsert_sequence(o8.sequence("w", o8.step("s", "remote")))
    for _ in range(5):
        engine.create_instance(seq)
    engine.run_until_idle()
    for task in engine.poll_tasks("remote", "w1", limit=5):
        engine.fail_task(task.id, "w1", "upstream 503")
    engine.run_until_idle()
    assert engine.circuit_breakers()[0]["state"] == "open"
