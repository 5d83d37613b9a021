"""sub_sequence: child instances, their results, failures, cancels and limits."""

from __future__ import annotations

from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext


def go(engine: Engine, seq: Any, data: Any = None, **options: Any) -> Any:
    inst = engine.create_instance(seq, data, **options)
    engine.run_until_idle()
    return inst


def states(inst: Any) -> dict[str, str]:
    return {n.block_id: str(n.state) for n in inst.tree()}


def slow(engine: Engine) -> None:
    """A child sequence whose only step waits for an external worker."""
    with pytest.warns(o8.UnregisteredHandlerWarning):
        engine.upsert_sequence(o8.sequence("slow", o8.step("wait", "remote-worker")))


@pytest.fixture
def child(engine: Engine) -> Any:
    @engine.handler("double")
    def double(ctx: StepContext) -> int:
        return int(ctx.params["n"]) * 2

    return engine.upsert_sequence(
        o8.sequence("child", o8.step("d", "double", params={"n": "{{ context.data.n }}"}))
    )


def test_child_runs_with_templated_input_and_returns_its_outputs(
    engine: Engine, child: Any
) -> None:
    parent = o8.sequence(
        "parent",
        o8.step("p", "noop"),
        o8.sub_sequence("call", "child", input={"n": "{{ context.data.start }}"}),
        o8.step("after", "transform", params={"got": "{{ outputs.call[0].output }}"}),
    )
    inst = go(engine, parent, {"start": 21}, priority="High", timezone="Europe/Paris")
    assert inst.state == "completed"
    [kid] = inst.children()
    assert kid.parent == inst and kid.state == "completed" and kid.data == {"n": 21}
    row = kid.snapshot()
    assert (row.priority.name, row.timezone) == ("HIGH", "Europe/Paris")
    assert row.metadata == {"_parent_block_id": "call", "_sub_sequence_depth": 1}
    [out] = inst.outputs["call"]  # Orch8's shape: the child's output rows
    assert (out["block_id"], out["output"], out["instance_id"]) == ("d", 42, kid.id)
    assert inst.outputs["after"] == {"got": 42}
    events = [a.event_type for a in inst.audit() if a.block_id == "call"]
    assert events == ["child_started", "child_completed"]


def test_version_pins_the_child_sequence(engine: Engine) -> None:
    engine.upsert_sequence(o8.sequence("kid", o8.step("v1", "noop")))
    engine.upsert_sequence(o8.sequence("kid", o8.step("v2", "noop")))
    pinned = go(engine, o8.sequence("pin", o8.sub_sequence("c", "kid", version=1)))
    latest = go(engine, o8.sequence("latest", o8.sub_sequence("c", "kid")))
    assert [o["block_id"] for o in pinned.outputs["c"]] == ["v1"]
    assert [o["block_id"] for o in latest.outputs["c"]] == ["v2"]


def test_failed_child_fails_the_node_and_try_catch_can_catch_it(engine: Engine) -> None:
    engine.upsert_sequence(o8.sequence("bad", o8.step("boom", "fail")))
    inst = go(engine, o8.sequence("p", o8.sub_sequence("call", "bad")))
    assert inst.state == "failed" and states(inst)["call"] == "failed"
    [kid] = inst.children()
    assert kid.state == "failed"
    assert inst.error is not None and inst.error["block_id"] == "call"
    assert inst.error["kind"] == "child"
    assert f"sub-sequence 'bad' (instance {kid.id}) failed" in inst.error["message"]
    assert inst.error["details"]["error"]["block_id"] == "boom"

    caught = go(
        engine,
        o8.sequence(
            "caught",
            o8.try_catch("t", [o8.sub_sequence("call", "bad")], [o8.step("h", "noop")]),
        ),
    )
    assert caught.state == "completed" and states(caught)["h"] == "completed"


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (o8.sub_sequence("c", "nowhere"), "sequence 'nowhere' (any active version) not found"),
        (o8.sub_sequence("c", "strict", input=[1, 2]), "input: must be an object"),
        (o8.sub_sequence("c", "strict", input={"m": 1}), "context.data: does not match"),
        (o8.sub_sequence("c", "strict", input={"n": "{{ nope.x }}"}), "nope"),
    ],
)
def test_a_child_that_cannot_start_fails_the_node_with_the_reason(
    engine: Engine, block: Any, message: str
) -> None:
    engine.upsert_sequence(
        o8.sequence(
            "strict", o8.step("s", "noop"), input_schema={"type": "object", "required": ["n"]}
        )
    )
    inst = go(engine, o8.sequence("p", block))
    assert inst.state == "failed"
    assert inst.children() == []
    assert inst.error is not None and message in inst.error["message"]


def test_nesting_stops_at_depth_16(engine: Engine) -> None:
    engine.upsert_sequence(o8.sequence("rec", o8.sub_sequence("again", "rec")))
    inst = go(engine, "rec")
    assert inst.state == "failed"
    depth, node = 0, inst
    while node.children():
        [node] = node.children()
        depth += 1
    assert depth == 16
    assert node.error is not None
    assert "child instances nest at most 16 levels deep" in node.error["message"]


def test_cancelling_the_parent_cancels_the_child(engine: Engine) -> None:
    slow(engine)
    inst = go(engine, o8.sequence("p", o8.sub_sequence("call", "slow")))
    [kid] = inst.children()
    assert (inst.state, kid.state) == ("waiting", "waiting")
    inst.cancel()
    engine.run_until_idle()
    assert (inst.state, kid.state) == ("cancelled", "cancelled")
    assert any(a.event_type == "signal_delivered" for a in kid.audit())  # the parent's cancel


def test_race_cancels_the_losing_child(engine: Engine) -> None:
    slow(engine)
    inst = go(
        engine,
        o8.sequence(
            "r", o8.race("r", [o8.step("fast", "noop")], [o8.sub_sequence("call", "slow")])
        ),
    )
    assert inst.state == "completed"
    [kid] = inst.children()
    assert kid.state == "cancelled"


def test_cancelled_child_fails_the_parent_node(engine: Engine) -> None:
    slow(engine)
    inst = go(engine, o8.sequence("p", o8.sub_sequence("call", "slow")))
    [kid] = inst.children()
    kid.cancel()
    engine.run_until_idle()
    assert (kid.state, inst.state) == ("cancelled", "failed")
    assert inst.error is not None and "cancelled" in inst.error["message"]


def test_each_loop_iteration_starts_its_own_child(engine: Engine, child: Any) -> None:
    seq = o8.sequence(
        "lp",
        o8.for_each(
            "each", "context.data.xs",
            [o8.sub_sequence("call", "child", input={"n": "{{ context.data.item }}"})],
        ),
    )  # fmt: skip
    inst = go(engine, seq, {"xs": [1, 2, 3]})
    assert inst.state == "completed"
    assert [k.data["n"] for k in inst.children()] == [1, 2, 3]
    rows = [r.output[0]["output"] for r in inst.output_rows() if r.block_id == "call"]
    assert rows == [2, 4, 6]


def test_pause_while_the_child_runs_then_resume(engine: Engine) -> None:
    slow(engine)
    inst = go(engine, o8.sequence("p", o8.sub_sequence("call", "slow"), o8.step("z", "noop")))
    inst.pause()
    engine.run_until_idle()
    [kid] = inst.children()
    [task] = engine.poll_tasks("remote-worker", "w1")
    engine.complete_task(task.id, "w1", {"ok": True})
    engine.run_until_idle()
    # The child's result woke the parent, which took the held pause first.
    assert (kid.state, inst.state, states(inst)["call"]) == ("completed", "paused", "waiting")
    inst.resume()
    engine.run_until_idle()
    assert inst.state == "completed" and states(inst)["z"] == "completed"
