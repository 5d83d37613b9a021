"""parallel and race: concurrency, failure, losers cancelled, worker tasks withdrawn."""

from __future__ import annotations

import threading
import warnings
from typing import Any

import orch8_nb as o8
from orch8_nb.engine import Engine, RetryStep, StepContext


def go(engine: Engine, seq: Any, data: Any = None) -> Any:
    """Create an instance and run everything due, skipping virtual time."""
    inst = engine.create_instance(seq, data)
    engine.run_until_idle()
    return inst


def states(inst: Any) -> dict[str, str]:
    return {n.block_id: str(n.state) for n in inst.tree()}


def test_parallel_runs_branches_concurrently_and_completes(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    barrier = threading.Barrier(2, timeout=5)

    @engine.handler("meet")
    def meet(ctx: StepContext) -> str:
        barrier.wait()  # only passes if both branches run at the same time
        return ctx.block_id

    seq = o8.sequence(
        "par",
        o8.parallel("p", [o8.step("a", "meet")], [o8.step("b", "meet"), o8.step("c", "noop")]),
        o8.step("after", "transform", params={"a": "{{ outputs.a }}", "b": "{{ outputs.b }}"}),
    )
    inst = go(engine, seq)
    assert inst.state == "completed"
    assert inst.outputs["after"] == {"a": "a", "b": "b"}
    assert states(inst) == {"p": "completed", "a": "completed", "b": "completed",
                            "c": "completed", "after": "completed"}  # fmt: skip
    [p_node] = [n for n in inst.tree() if n.block_id == "p"]
    assert [n.branch_index for n in inst.tree() if n.parent_id == p_node.id] == [0, 1, 1]


def test_parallel_fails_when_a_branch_fails_and_cancels_the_rest(engine: Engine) -> None:
    seq = o8.sequence(
        "parfail",
        o8.parallel(
            "p",
            [o8.step("bad", "fail", params={"message": "boom"})],
            [o8.step("slow", "sleep", params={"duration_ms": 60_000}), o8.step("never", "noop")],
        ),
        o8.step("after", "noop"),
    )
    inst = go(engine, seq)
    assert inst.state == "failed"
    assert inst.error["block_id"] == "bad"
    s = states(inst)
    assert (s["p"], s["bad"], s["never"], s["after"]) == ("failed", "failed", "cancelled",
                                                          "cancelled")  # fmt: skip


def test_race_first_to_resolve_cancels_losers_and_their_worker_tasks(engine: Engine) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seq = o8.sequence(
            "race",
            o8.race(
                "r",
                [o8.step("fast", "transform", params={"who": "fast"})],
                [o8.step("remote", "external_thing")],
                [o8.step("slow", "sleep", params={"duration_ms": 10_000})],
            ),
        )
        inst = engine.create_instance(seq)
    engine.run_until_idle()
    assert inst.state == "completed"
    s = states(inst)
    assert (s["fast"], s["remote"], s["slow"]) == ("completed", "cancelled", "cancelled")
    assert engine.poll_tasks("external_thing", "w") == []  # the loser's task was withdrawn


def test_race_first_to_resolve_fails_on_first_failure(engine: Engine) -> None:
    seq = o8.sequence(
        "race2",
        o8.race(
            "r",
            [o8.step("bad", "fail")],
            [o8.step("slow", "sleep", params={"duration_ms": 10_000})],
        ),
    )
    inst = go(engine, seq)
    assert inst.state == "failed"


def test_race_first_to_succeed_ignores_failed_branches(engine: Engine) -> None:
    seq = o8.sequence(
        "race3",
        o8.race(
            "r",
            [o8.step("bad", "fail")],
            [o8.step("ok", "sleep", params={"duration_ms": 5_000})],
            semantics="first_to_succeed",
        ),
    )
    inst = go(engine, seq)
    assert inst.state == "completed"
    assert states(inst)["ok"] == "completed"
    all_fail = o8.sequence(
        "race4",
        o8.race("r", [o8.step("x", "fail")], [o8.step("y", "fail")], semantics="first_to_succeed"),
    )
    assert go(engine, all_fail).state == "failed"


def test_retries_inside_a_parallel_branch(engine: Engine) -> None:
    calls: list[int] = []

    @engine.handler("flaky")
    def flaky(ctx: StepContext) -> str:
        calls.append(ctx.attempt)
        if ctx.attempt < 2:
            raise RetryStep("again")
        return "ok"

    seq = o8.sequence(
        "parretry",
        o8.parallel(
            "p",
            [o8.step("f", "flaky", retry=o8.retry(3, initial_backoff="1s", max_backoff="1s"))],
            [o8.step("g", "noop")],
        ),
    )
    inst = go(engine, seq)
    assert inst.state == "completed" and calls == [0, 1, 2]


def test_pause_and_resume_in_the_middle_of_composites(engine: Engine) -> None:
    """Pause while a parallel sleeps and a loop is half done; resume finishes both."""
    seq = o8.sequence(
        "pausing",
        o8.parallel(
            "p",
            [o8.step("nap", "sleep", params={"duration_ms": 60_000})],
            [o8.loop("l", "true", [o8.step("tick", "noop", delay="1m")], max_iterations=3)],
        ),
        o8.step("after", "noop"),
    )
    inst = engine.create_instance(seq)
    engine.tick_once()
    inst.pause()
    engine.run_until_idle()
    assert inst.state == "paused"
    assert states(inst)["after"] == "pending"
    inst.resume()
    engine.run_until_idle()
    assert inst.state == "completed"
    assert inst.outputs["l"] == {"_iterations": 3}
    assert len([r for r in inst.output_rows() if r.block_id == "tick"]) == 3
