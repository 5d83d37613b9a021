"""Hot migration: previews, refusals with their reasons, apply, transforms, rebind, load."""

from __future__ import annotations

import threading
import warnings
from collections import Counter
from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext
from orch8_nb.errors import InputValidationError, InvalidTransitionError


@pytest.fixture
def engine(make_engine: Any, backend: str) -> Engine:
    """Driven by hand, so instances sit still between the preview and the apply."""
    return make_engine(backend, autostart=False)  # type: ignore[no-any-return]


def quiet(engine: Engine, seq: Any) -> Any:
    """Register without the warnings this test provokes on purpose."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", o8.OldVersionWarning)
        warnings.simplefilter("ignore", o8.UnregisteredHandlerWarning)
        return engine.upsert_sequence(seq)


def states(inst: Any) -> dict[str, str]:
    return {n.block_id: str(n.state) for n in inst.tree()}


V1 = o8.sequence(
    "onboard",
    o8.step("welcome", "noop"),
    o8.step("wait_docs", "noop", delay="1d"),
    o8.step("old_check", "noop"),
    o8.step("done", "noop"),
)
V2 = o8.sequence(
    "onboard",
    o8.step("intro", "noop"),  # added before the cursor: the instances are past it
    o8.step("welcome", "noop"),
    o8.step("wait_docs", "noop", delay="1d"),
    o8.step("kyc", "noop"),  # added after the cursor: runs
    o8.step("done", "transform", params={"v": 2}),  # changed
)


def started(engine: Engine, n: int = 2) -> tuple[Any, list[Any]]:
    v1 = quiet(engine, V1)
    insts = [engine.create_instance(v1, {"customer": {"name": f"c{i}"}}) for i in range(n)]
    engine.tick_once()  # each runs "welcome", then sleeps in "wait_docs"
    return v1, insts


def test_the_preview_changes_nothing_and_apply_moves_them(engine: Engine) -> None:
    v1, insts = started(engine)
    v2 = quiet(engine, V2)
    plan = engine.plan_migration(None, v2)
    assert [i.state for i in insts] == ["scheduled", "scheduled"]
    assert all(i.snapshot().sequence_id == v1.id for i in insts)
    [item, _] = plan.items
    assert item.can_move and item.cursor == ["wait_docs"]
    assert (item.kept, item.added, item.skipped) == (["welcome"], ["kyc"], ["intro"])
    assert (item.removed, item.changed) == (["old_check"], ["done"])
    assert "migration to onboard v2 (preview): 2 of 2 can move" in repr(plan)
    assert "<table>" in plan._repr_html_()

    done = plan.apply()
    assert [i.can_move for i in done.items] == [True, True]
    assert "(applied): 2 of 2 moved" in repr(done)
    with pytest.raises(RuntimeError, match="applied already"):
        done.apply()
    engine.run_until_idle()
    for inst in insts:
        assert inst.state == "completed" and inst.snapshot().sequence_id == v2.id
        assert states(inst) == {"intro": "skipped", "welcome": "completed",
                                "wait_docs": "completed", "kyc": "completed",
                                "done": "completed"}  # fmt: skip
        assert inst.outputs["done"] == {"v": 2}
        [row] = [a for a in inst.audit() if a.event_type == "migrated"]
        assert row.details["from_version"] == 1 and row.details["to_version"] == 2
        assert row.details["added"] == ["kyc"] and row.details["removed"] == ["old_check"]


def test_refusals_say_why(engine: Engine) -> None:
    finished = engine.create_instance(quiet(engine, V1))
    waiting = engine.create_instance(quiet(engine, o8.sequence("w", o8.step("out", "remote"))))
    engine.run_until_idle()
    assert (finished.state, waiting.state) == ("completed", "waiting")
    v1, (asleep,) = started(engine, 1)
    gone = quiet(engine, o8.sequence("w", o8.step("other", "noop")))
    retyped = quiet(engine, o8.sequence("w", o8.parallel("out", [o8.step("x", "noop")])))
    plan = engine.plan_migration([finished, asleep], v1)
    assert [i.reason for i in plan.items] == [
        "completed: a finished instance stays on its version",
        "already on the target version",
    ]
    [removed] = engine.plan_migration([waiting], gone).items
    assert removed.reason == "block 'out' is waiting and the target removes it"
    [changed] = engine.plan_migration([waiting], retyped).items
    assert changed.reason == (
        "block 'out' is waiting and the target changes its type from step to parallel"
    )
    assert plan.movable == [] and len(plan.refused) == 2


def test_a_running_instance_is_refused(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    gate, inside = threading.Event(), threading.Event()

    @engine.handler("hold")
    def hold(ctx: StepContext) -> None:
        inside.set()
        gate.wait(10)

    v1 = engine.upsert_sequence(o8.sequence("r", o8.step("h", "hold")))
    inst = engine.create_instance(v1)
    assert inside.wait(10)
    v2 = quiet(engine, o8.sequence("r", o8.step("h", "hold"), o8.step("more", "noop")))
    [item] = engine.plan_migration([inst], v2).items
    assert item.reason == "running: it can move once it waits, sleeps on a timer or is paused"
    gate.set()
    assert inst.wait(10).state == "completed"


def test_state_transforms_and_their_errors(engine: Engine) -> None:
    v1, insts = started(engine)
    v2 = quiet(engine, V2)
    moves = [
        {"op": "copy", "from": "customer.name", "to": "profile.display"},
        {"op": "move", "from": "customer.name", "to": "name"},
        {"op": "drop", "path": "customer"},
    ]
    plan = engine.plan_migration(insts, v2, transform=moves)
    assert plan.items[0].data == {"profile": {"display": "c0"}, "name": "c0"}
    assert insts[0].data == {"customer": {"name": "c0"}}  # a preview
    plan.apply()
    assert insts[1].data == {"profile": {"display": "c1"}, "name": "c1"}
    fresh = engine.create_instance(v1)
    [missing] = engine.plan_migration(
        [fresh], v2, transform=[{"op": "drop", "path": "nope.x"}]
    ).items
    assert missing.reason == "transform[0]: context.data.nope.x does not exist"
    with pytest.raises(InputValidationError) as caught:
        engine.plan_migration(insts, v2, transform=[{"op": "rename", "from": "a"}, {"op": "move"}])
    assert caught.value.paths == ["transform[0].op", "transform[1].from", "transform[1].to"]


def test_new_composites_around_the_cursor_and_blocks_added_behind_it(engine: Engine) -> None:
    v1 = quiet(engine, o8.sequence("c", o8.parallel("p", [o8.step("a", "noop")]),
                                   o8.step("out", "remote")))  # fmt: skip
    inst = engine.create_instance(v1)
    engine.run_until_idle()
    assert states(inst) == {"p": "completed", "a": "completed", "out": "waiting"}
    v2 = quiet(engine, o8.sequence(
        "c",
        o8.parallel("p", [o8.step("a", "noop")], [o8.step("late", "noop")]),
        o8.try_catch("guard", [o8.step("out", "remote")], [o8.step("oops", "noop")]),
        o8.step("after", "noop"),
    ))  # fmt: skip
    [item] = engine.plan_migration([inst], v2).items
    assert (item.added, item.skipped) == (["guard", "oops", "after"], ["late"])
    engine.plan_migration([inst], v2).apply()
    assert states(inst) == {"p": "completed", "a": "completed", "late": "skipped",
                            "guard": "running", "out": "waiting", "oops": "pending",
                            "after": "pending"}  # fmt: skip
    [task] = engine.poll_tasks("remote", "w1")
    engine.complete_task(task.id, "w1", {"ok": True})
    engine.run_until_idle()
    assert inst.state == "completed"
    assert states(inst)["after"] == "completed" and states(inst)["oops"] == "skipped"


def test_rebind_points_at_another_version_when_the_blocks_exist(engine: Engine) -> None:
    v1, (inst,) = started(engine, 1)
    same_blocks = quiet(engine, o8.sequence("onboard", *V1.blocks, o8.step("extra", "noop")))
    moved = engine.migrate_instance(inst, same_blocks)
    assert moved == {"migrated": True, "instance_id": inst.id, "from_sequence_id": v1.id,
                     "to_sequence_id": same_blocks.id}  # fmt: skip
    assert [a.details["mode"] for a in inst.audit() if a.event_type == "migrated"] == ["rebind"]
    with pytest.raises(InvalidTransitionError, match="has no block 'old_check'"):
        engine.migrate_instance(inst, quiet(engine, V2))
    engine.run_until_idle()
    assert inst.state == "completed"
    assert "extra" not in states(inst)  # a rebind keeps the tree: added blocks do not run
    with pytest.raises(InvalidTransitionError, match="only a scheduled, waiting or paused"):
        engine.migrate_instance(inst, v1)


def test_migrating_under_load_loses_and_repeats_no_step(make_engine: Any) -> None:
    engine = make_engine(virtual=False, max_concurrent_instances=8)
    ran: Counter[tuple[str, str]] = Counter()
    lock = threading.Lock()

    @engine.handler("work")
    def work(ctx: StepContext) -> str:
        with lock:
            ran[(ctx.instance_id, ctx.block_id)] += 1
        threading.Event().wait(0.002)
        return ctx.block_id

    steps = [o8.step(f"s{i}", "work", delay="5ms" if i % 2 else None) for i in range(6)]
    v1 = engine.upsert_sequence(o8.sequence("load", *steps))
    insts = [engine.create_instance(v1) for _ in range(40)]
    v2 = quiet(engine, o8.sequence("load", *steps, o8.step("s6", "work")))
    moved: set[str] = set()
    for _ in range(20):  # keep migrating while they run
        plan = engine.plan_migration(None, v2).apply()
        moved |= {i.instance_id for i in plan.items if i.can_move}
    for inst in insts:
        assert inst.wait(30).state == "completed"
    assert moved, "no instance was caught between steps"
    for inst in insts:
        on_v2 = inst.snapshot().sequence_id == v2.id
        assert on_v2 == (inst.id in moved)
        expected = {f"s{i}" for i in range(7 if on_v2 else 6)}
        assert {b for (iid, b) in ran if iid == inst.id} == expected
    assert set(ran.values()) == {1}  # no step ran twice
