"""saga: actions in order; on failure, compensations of completed actions in reverse."""

from __future__ import annotations

from typing import Any

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext


def go(engine: Engine, seq: Any, data: Any = None) -> Any:
    inst = engine.create_instance(seq, data)
    engine.run_until_idle()
    return inst


def trip(fail_at: str | None, failing_undo: str | None = None) -> o8.SequenceDefinition:
    def act(name: str) -> o8.model.StepDef:
        return o8.step(name, "fail" if name == fail_at else "record")

    def undo(name: str) -> o8.model.StepDef:
        return o8.step(f"undo_{name}", "fail" if name == failing_undo else "record")

    return o8.sequence(
        f"trip-{fail_at}-{failing_undo}",
        o8.saga(
            "trip",
            o8.saga_step("s_flight", act("flight"), undo("flight")),
            o8.saga_step("s_hotel", act("hotel"), undo("hotel")),
            o8.saga_step("s_car", act("car")),  # no compensation
            o8.saga_step("s_pay", act("pay"), undo("pay")),
        ),
    )


def recorder(engine: Engine) -> list[str]:
    calls: list[str] = []

    @engine.handler("record")
    def record(ctx: StepContext) -> str:
        calls.append(ctx.block_id)
        return ctx.block_id

    return calls


def states(inst: Any) -> dict[str, str]:
    return {n.block_id: str(n.state) for n in inst.tree()}


def test_saga_success_skips_compensations(engine: Engine) -> None:
    calls = recorder(engine)
    inst = go(engine, trip(None))
    assert inst.state == "completed"
    assert calls == ["flight", "hotel", "car", "pay"]
    assert states(inst)["undo_flight"] == "skipped"


def test_saga_failure_compensates_completed_actions_in_reverse_then_fails(engine: Engine) -> None:
    calls = recorder(engine)
    inst = go(engine, trip("pay"))
    assert inst.state == "failed"
    assert calls == ["flight", "hotel", "car", "undo_hotel", "undo_flight"]
    s = states(inst)
    assert (s["trip"], s["pay"], s["undo_pay"]) == ("failed", "failed", "skipped")
    assert inst.error["block_id"] == "pay"


def test_saga_failure_in_the_middle_skips_the_rest(engine: Engine) -> None:
    calls = recorder(engine)
    inst = go(engine, trip("hotel"))
    assert inst.state == "failed"
    assert calls == ["flight", "undo_flight"]
    s = states(inst)
    assert (s["car"], s["pay"], s["undo_hotel"]) == ("skipped", "skipped", "skipped")


def test_a_failing_compensation_does_not_stop_the_others(engine: Engine) -> None:
    calls = recorder(engine)
    inst = go(engine, trip("pay", failing_undo="hotel"))
    assert inst.state == "failed"
    assert calls == ["flight", "hotel", "car", "undo_flight"]
    assert states(inst)["undo_hotel"] == "failed"
