"""Step deadlines (with escalation) and sequence SLA alerts, on the virtual clock."""

from __future__ import annotations

from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext


@pytest.fixture
def engine(make_engine: Any, backend: str) -> Engine:
    engine = make_engine(backend, autostart=False)

    @engine.handler("page")
    def page(ctx: StepContext) -> dict[str, Any]:
        return {"paged": ctx.params["team"], "late_ms": ctx.params["_hook"]["_elapsed_ms"]}

    return engine  # type: ignore[no-any-return]


def states(inst: Any) -> dict[str, str]:
    return {n.block_id: str(n.state) for n in inst.tree()}


def test_a_worker_step_past_its_deadline_fails_and_escalates(engine: Engine) -> None:
    escalate = {"handler": "page", "params": {"team": "ops"}}
    quote = o8.step("quote", "remote", deadline="10m", on_deadline_breach=escalate)
    with pytest.warns(o8.UnregisteredHandlerWarning):
        seq = engine.upsert_sequence(o8.sequence("d", quote))
    inst = engine.create_instance(seq)
    engine.tick_once()
    assert inst.state == "scheduled"  # the worker has the task; the deadline is a timer
    engine.run_until_idle()
    assert inst.state == "failed" and states(inst)["quote"] == "failed"
    assert inst.error is not None and inst.error["kind"] == "deadline"
    assert inst.outputs["quote"] == {"_error": "sla_deadline_breached",
                                     "_deadline_ms": 600_000, "_elapsed_ms": 600_000}  # fmt: skip
    assert inst.outputs["_deadline:quote"] == {"paged": "ops", "late_ms": 600_000}
    assert engine.poll_tasks("remote", "w1") == []  # the task was withdrawn


def test_a_result_in_time_beats_the_deadline(engine: Engine) -> None:
    with pytest.warns(o8.UnregisteredHandlerWarning):
        seq = engine.upsert_sequence(o8.sequence("ok", o8.step("quote", "remote", deadline="1h")))
    inst = engine.create_instance(seq)
    engine.tick_once()
    [task] = engine.poll_tasks("remote", "w1")
    engine.complete_task(task.id, "w1", {"price": 3})
    engine.run_until_idle()
    assert inst.state == "completed" and inst.outputs["quote"] == {"price": 3}


def test_retries_stop_at_the_deadline(engine: Engine) -> None:
    calls: list[int] = []

    @engine.handler("flaky")
    def flaky(ctx: StepContext) -> None:
        calls.append(ctx.attempt)
        raise o8.RetryStep("try again")

    retry = o8.retry(100, initial_backoff="1m", max_backoff="1m")
    inst = engine.create_instance(
        o8.sequence("r", o8.step("x", "flaky", retry=retry, deadline="150s"))
    )
    engine.run_until_idle()
    assert inst.state == "failed" and inst.error is not None
    assert inst.error["kind"] == "deadline" and len(calls) == 3  # at 0, 60 and 120 s


def test_sla_breaches_alert_once_and_the_run_goes_on(engine: Engine) -> None:
    body = o8.sequence(
        "slow", o8.step("a", "noop", delay="2h"), o8.step("b", "noop", delay="2h")
    ).model_dump(mode="json", exclude_none=True)
    body["sla"] = {"max_runtime": 3 * 3_600_000, "max_step_runtime": 3_600_000}
    inst = engine.create_instance(body)
    engine.run_until_idle()
    assert inst.state == "completed"
    alerts = [a.details for a in inst.audit() if a.event_type == "sla_breached"]
    assert [(a["type"], a["step_id"]) for a in alerts] == [
        ("max_step_runtime", "a"), ("max_runtime", None),
    ]  # fmt: skip
    assert alerts[0]["elapsed_ms"] == 3_600_000 and alerts[1]["limit_ms"] == 3 * 3_600_000
