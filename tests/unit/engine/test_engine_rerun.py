"""The DLQ and running again: retry, resume_from, fork, groups by fingerprint."""

from __future__ import annotations

from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext
from orch8_nb.engine.dlq import normalize_message
from orch8_nb.errors import InstanceValidationError, InvalidTransitionError, NotFoundError


@pytest.fixture
def engine(make_engine: Any, backend: str) -> Engine:
    """Driven by hand (no background scheduler), so states between steps can be seen."""
    return make_engine(backend, autostart=False)  # type: ignore[no-any-return]


@pytest.fixture
def calls(engine: Engine) -> list[str]:
    """Handlers ``llm`` (counts as a paid call), ``flaky`` (fails while ``data.broken``)."""
    seen: list[str] = []

    @engine.handler("llm")
    def llm(ctx: StepContext) -> dict[str, Any]:
        seen.append(ctx.block_id)
        return {"text": f"answer {len(seen)}"}

    @engine.handler("flaky")
    def flaky(ctx: StepContext) -> dict[str, Any]:
        seen.append(ctx.block_id)
        if ctx.data.get("broken"):
            raise o8.FailStep(f"order {len(seen)} rejected by 'shop'", code="rejected")
        return {"ok": True}

    return seen


FLOW = o8.sequence(
    "flow",
    o8.step("ask", "llm"),
    o8.step("ship", "flaky"),
    o8.step("tell", "transform", params={"said": "{{ outputs.ask.text }}"}),
)


def go(engine: Engine, seq: Any, data: Any = None) -> Any:
    inst = engine.create_instance(seq, data)
    engine.run_until_idle()
    return inst


def states(inst: Any) -> dict[str, str]:
    return {n.block_id: str(n.state) for n in inst.tree()}


def test_retry_reruns_from_the_failed_block_only(engine: Engine, calls: list[str]) -> None:
    inst = go(engine, FLOW, {"broken": True})
    assert inst.state == "failed" and calls == ["ask", "ship"]
    run_id = inst.context["runtime"]["run_id"]
    with pytest.raises(InvalidTransitionError, match="only a failed instance can be retried"):
        go(engine, FLOW, {"broken": False}).retry()
    calls.clear()
    inst.resume_from("ship", {"broken": False})
    engine.run_until_idle()
    assert inst.state == "completed"
    assert calls == ["ship"]  # the paid call before it did not run again
    assert inst.outputs["tell"] == {"said": "answer 1"}
    assert inst.context["runtime"]["run_id"] != run_id
    assert inst.error is None


def test_retry_after_fixing_the_cause(engine: Engine, calls: list[str]) -> None:
    inst = go(engine, FLOW, {"broken": True})
    calls.clear()

    @engine.handler("flaky")
    def fixed(ctx: StepContext) -> dict[str, bool]:
        calls.append(ctx.block_id)
        return {"ok": True}

    inst.retry()
    engine.run_until_idle()
    assert (inst.state, calls) == ("completed", ["ship"])
    audit = [(a.event_type, a.details.get("reason")) for a in inst.audit()]
    assert ("retry", None) in audit and ("state_transition", "retry") in audit
    [row] = [a for a in inst.audit() if a.event_type == "retry"]
    assert row.block_id == "ship"
    assert row.details["reset_blocks"] == ["ship", "tell"]


def test_resume_from_wipes_the_outputs_of_the_blocks_it_reruns(
    engine: Engine, calls: list[str]
) -> None:
    inst = go(engine, FLOW, {"broken": False})
    assert inst.state == "completed"
    inst.resume_from("ask")
    assert inst.state == "scheduled" and inst.outputs == {}
    assert set(states(inst).values()) == {"pending"}
    engine.run_until_idle()
    assert inst.state == "completed" and calls == ["ask", "ship", "ask", "ship"]
    assert inst.outputs["tell"] == {"said": "answer 3"}


@pytest.mark.parametrize(
    ("block", "error", "message"),
    [
        ("nope", NotFoundError, "block 'nope' is not in this instance's sequence"),
        ("inner", InvalidTransitionError, "'inner' is not a top-level block"),
    ],
)
def test_resume_from_refuses_what_it_cannot_do(
    engine: Engine, calls: list[str], block: str, error: type[Exception], message: str
) -> None:
    seq = o8.sequence("nested", o8.parallel("p", [o8.step("inner", "llm")], [o8.step("x", "noop")]))
    inst = go(engine, seq)
    with pytest.raises(error, match=message):
        inst.resume_from(block)
    with pytest.raises(InstanceValidationError, match="data: must be an object"):
        inst.resume_from("p", ["not", "an", "object"])  # type: ignore[arg-type]


def test_a_running_instance_must_be_paused_before_resume_from(engine: Engine) -> None:
    with pytest.warns(o8.UnregisteredHandlerWarning):
        seq = engine.upsert_sequence(o8.sequence("w", o8.step("a", "noop"), o8.step("b", "remote")))
    inst = go(engine, seq)
    assert inst.state == "waiting"
    with pytest.raises(InvalidTransitionError, match="pause it first"):
        inst.resume_from("a")
    assert inst.state == "waiting"


def test_fork_copies_what_came_before_and_runs_the_rest(engine: Engine, calls: list[str]) -> None:
    source = go(engine, FLOW, {"broken": True})
    calls.clear()
    fork = source.fork("ship", {"broken": False})
    assert fork != source and fork.state == "scheduled"
    engine.run_until_idle()
    assert (fork.state, source.state) == ("completed", "failed")
    assert calls == ["ship"]
    assert fork.outputs["ask"] == source.outputs["ask"]
    assert fork.outputs["tell"] == {"said": "answer 1"}
    assert fork.data == {"broken": False}
    assert fork.snapshot().metadata["_forked_from"] == {
        "instance_id": source.id,
        "block_id": "ship",
    }
    assert [a.event_type for a in source.audit()][-1] == "forked"
    assert [a.event_type for a in fork.audit()][:2] == ["state_transition", "forked_from"]


def test_fork_refuses_a_block_whose_predecessors_did_not_complete(
    engine: Engine, calls: list[str]
) -> None:
    source = go(engine, FLOW, {"broken": True})
    with pytest.raises(InvalidTransitionError, match="block 'ship' before it is failed"):
        source.fork("tell")


def test_dlq_lists_failures_and_groups_them_by_fingerprint(
    engine: Engine, calls: list[str]
) -> None:
    failed = [go(engine, FLOW, {"broken": True}) for _ in range(3)]
    other = go(engine, o8.sequence("boom", o8.step("x", "fail", params={"message": "disk 7 full"})))
    go(engine, FLOW, {"broken": False})
    assert {i.id for i in engine.dlq()} == {*(i.id for i in failed), other.id}
    groups = engine.dlq_groups()
    assert [g["count"] for g in groups] == [3, 1]
    big = groups[0]
    assert (big["sequence_name"], big["block_id"], big["handler"]) == ("flow", "ship", "flaky")
    assert (big["error_kind"], big["error_code"]) == ("handler", "rejected")
    assert big["message"] == "order <n> rejected by <str>"
    assert set(big["instance_ids"]) == {i.id for i in failed}
    assert groups[1]["message"] == "disk <n> full"

    @engine.handler("flaky")
    def fixed(ctx: StepContext) -> dict[str, bool]:
        return {"ok": True}

    [tried] = engine.retry_group(big["fingerprint"], sample=True)
    engine.run_until_idle()
    assert tried.state == "completed"
    assert len(engine.retry_group(big["fingerprint"])) == 2
    engine.run_until_idle()
    assert [g["count"] for g in engine.dlq_groups()] == [1]
    with pytest.raises(NotFoundError, match="fingerprint"):
        engine.retry_group("0000")


def test_normalize_message_masks_variable_parts() -> None:
    assert normalize_message(
        "order 42 for 'ada' (id 019b76da-a800-7f38-b6e5-6b60b08d2ba8)\n tb"
    ) == ("order <n> for <str> (id <id>)")


def test_retry_reruns_a_failed_composite_and_starts_a_new_child(
    engine: Engine, calls: list[str]
) -> None:
    engine.upsert_sequence(o8.sequence("kid", o8.step("k", "flaky")))
    seq = o8.sequence(
        "composite",
        o8.step("ask", "llm"),
        o8.parallel(
            "both",
            [o8.step("one", "llm")],
            [o8.sub_sequence("call", "kid", input={"broken": "{{ context.data.broken }}"})],
        ),
    )
    inst = go(engine, seq, {"broken": True})
    [first_child] = inst.children()
    assert (inst.state, first_child.state) == ("failed", "failed")
    calls.clear()
    inst.resume_from("both", {"broken": False})
    engine.run_until_idle()
    assert inst.state == "completed"
    assert sorted(calls) == ["k", "one"]  # the whole failed root again, not "ask"
    children = inst.children()
    assert len(children) == 2 and children[1].data == {"broken": False}


def test_resume_from_a_paused_instance_cancels_its_running_child(engine: Engine) -> None:
    with pytest.warns(o8.UnregisteredHandlerWarning):
        engine.upsert_sequence(o8.sequence("slow", o8.step("w", "remote")))
    seq = o8.sequence(
        "p",
        o8.parallel("both", [o8.step("nap", "noop", delay="1h")], [o8.sub_sequence("c", "slow")]),
    )
    inst = engine.create_instance(seq)
    engine.tick_once()
    engine.tick_once()  # the child starts and waits for its worker; the parent sleeps
    inst.pause()
    engine.tick_once()
    [child] = inst.children()
    assert (inst.state, child.state) == ("paused", "waiting")
    inst.resume_from("both")
    engine.run_until_idle()
    assert child.state == "cancelled"
    assert [c.state for c in inst.children()] == ["cancelled", "waiting"]  # a fresh child
