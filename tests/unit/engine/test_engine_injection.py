"""Dynamic injection: inject_blocks from a cell, and the self_modify built-in."""

from __future__ import annotations

from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine
from orch8_nb.errors import InputValidationError, SequenceValidationError


@pytest.fixture
def engine(make_engine: Any, backend: str) -> Engine:
    return make_engine(backend, autostart=False)  # type: ignore[no-any-return]


def order(inst: Any) -> list[tuple[str, str]]:
    return [(n.block_id, str(n.state)) for n in inst.tree()]


def waiting(engine: Engine) -> Any:
    """An instance that ran "a" and waits for a person at "gate"."""
    seq = o8.sequence(
        "inj", o8.step("a", "noop"),
        o8.step("gate", "noop", wait_for_input={"prompt": "go?"}), o8.step("z", "noop"),
    )  # fmt: skip
    inst = engine.create_instance(seq)
    engine.run_until_idle()
    assert inst.state == "waiting"
    return inst


def test_injected_blocks_run_in_their_place(engine: Engine) -> None:
    inst = waiting(engine)
    inst.inject_blocks([o8.step("extra", "transform", params={"x": 1})], position=2)
    inst.inject_blocks([{"type": "step", "id": "tail", "handler": "noop"}])
    engine.run_until_idle()
    assert order(inst) == [("a", "completed"), ("gate", "waiting"), ("extra", "pending"),
                           ("z", "pending"), ("tail", "pending")]  # fmt: skip
    assert [a.event_type for a in inst.audit()].count("blocks_injected") == 2
    inst.approve("gate")
    engine.run_until_idle()
    assert inst.state == "completed" and inst.outputs["extra"] == {"x": 1}
    assert [b for b, _ in order(inst)] == ["a", "gate", "extra", "z", "tail"]
    assert "extra" in repr(inst) and "tail" in repr(inst)  # the picture shows them too


def test_bad_injections_are_refused_with_the_reason(engine: Engine) -> None:
    inst = waiting(engine)
    with pytest.raises(InputValidationError, match="position: must be at least 2"):
        inst.inject_blocks([o8.step("early", "noop")], position=1)
    with pytest.raises(SequenceValidationError, match="duplicate"):
        inst.inject_blocks([o8.step("a", "noop")])
    with pytest.raises(SequenceValidationError, match="handler"):
        inst.inject_blocks([{"type": "step", "id": "x"}])
    engine.run_until_idle()
    assert [b for b, _ in order(inst)] == ["a", "gate", "z"]


def test_self_modify_lets_a_step_grow_its_own_instance(engine: Engine) -> None:
    more = [{"type": "step", "id": f"n{i}", "handler": "transform", "params": {"i": i}}
            for i in range(3)]  # fmt: skip
    seq = o8.sequence("plan", o8.step("planner", "self_modify", params={"blocks": more}),
                      o8.step("end", "noop"))  # fmt: skip
    inst = engine.create_instance(seq)
    engine.run_until_idle()
    assert inst.state == "completed"
    assert inst.outputs["planner"] == {"injected_count": 3, "position": 2}
    assert [b for b, _ in order(inst)] == ["planner", "end", "n0", "n1", "n2"]
    assert inst.outputs["n2"] == {"i": 2}

    bad = o8.sequence("badplan", o8.step("planner", "self_modify", params={"blocks": []}))
    failed = engine.create_instance(bad)
    engine.run_until_idle()
    assert failed.state == "failed"
    assert failed.error is not None and failed.error["message"].startswith("self_modify:")


def test_injections_survive_a_new_engine(make_engine: Any, tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'inj.db'}"
    first = make_engine(url, autostart=False)
    inst = waiting(first)
    inst.inject_blocks([o8.step("later", "transform", params={"n": 7})])
    first.run_until_idle()
    first.shutdown()
    second = make_engine(url, autostart=False)
    again = second.get_instance(inst.id)
    again.approve("gate")
    second.run_until_idle()
    assert again.state == "completed" and again.outputs["later"] == {"n": 7}


def test_injected_blocks_go_with_forks_and_parallel_items_and_stop_migrations(
    engine: Engine,
) -> None:
    inst = waiting(engine)
    each = o8.for_each("each", "context.data.xs", [o8.step("t", "transform", params={
        "x": "{{ context.data.item }}"})], max_parallel=2)  # fmt: skip
    inst.inject_blocks([each])
    engine.run_until_idle()
    fork = inst.fork("gate")
    assert [b for b, _ in order(fork)] == ["a", "gate", "z", "each", "t"]
    with pytest.warns(o8.OldVersionWarning):
        v2 = engine.upsert_sequence(o8.sequence("inj", o8.step("a", "noop"), o8.step("n", "noop")))
    [item] = engine.plan_migration([inst], v2).items
    assert item.reason == "blocks were injected into it: it stays on its version"
    inst.update_context({"xs": [1, 2, 3]})
    inst.approve("gate")
    engine.run_until_idle()
    assert inst.state == "completed" and len(inst.children()) == 3
    assert sorted(r.output["x"] for r in inst.output_rows() if r.block_id == "t") == [1, 2, 3]
