"""for_each with max_parallel: items as child instances, bounded, grouped by item."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext


def go(engine: Engine, seq: Any, data: Any = None) -> Any:
    inst = engine.create_instance(seq, data)
    engine.run_until_idle()
    return inst


def states(inst: Any) -> dict[str, str]:
    return {n.block_id: str(n.state) for n in inst.tree()}


def priced(max_parallel: int = 3, **fields: Any) -> o8.SequenceDefinition:
    return o8.sequence(
        "fan",
        o8.step("base", "transform", params={"b": 7}),
        o8.for_each(
            "each", "context.data.items",
            [o8.step("p", "transform", params={"q": "{{ context.data.item }}",
                                               "b": "{{ outputs.base.b }}"})],
            max_parallel=max_parallel, **fields,
        ),
        o8.step("after", "transform", params={"last": "{{ outputs.p.q }}"}),
    )  # fmt: skip


def test_items_run_as_instances_and_their_outputs_come_back_grouped_by_item(
    engine: Engine,
) -> None:
    inst = go(engine, priced(), {"items": [10, 20, 30, 40, 50]})
    assert inst.state == "completed"
    kids = inst.children()
    assert [k.data["item"] for k in kids] == [10, 20, 30, 40, 50]
    assert all(k.state == "completed" and k.parent == inst for k in kids)
    assert "item" not in inst.data  # the binding lives in each item's own context
    rows = [(r.block_id, r.output) for r in inst.output_rows() if r.block_id in ("each", "p")]
    pairs = list(zip(rows[::2], rows[1::2], strict=True))
    assert len(pairs) == 5
    for (marker_block, marker), (body_block, out) in pairs:
        assert (marker_block, body_block) == ("each", "p")
        assert marker["_total"] == 5 and marker["_item_var"] == "item"
        assert out == {"q": [10, 20, 30, 40, 50][marker["_index"]], "b": 7}
    assert states(inst) == {"base": "completed", "each": "completed", "p": "completed",
                            "after": "completed"}  # fmt: skip
    assert inst.outputs["after"]["last"] in (10, 20, 30, 40, 50)


def test_at_most_max_parallel_items_run_at_once(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    lock, running, peak = threading.Lock(), [0], [0]
    release = threading.Event()

    @engine.handler("work")
    def work(ctx: StepContext) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(0.15)
        with lock:
            running[0] -= 1
        return int(ctx.params["x"])

    seq = o8.sequence(
        "bounded",
        o8.for_each("each", "context.data.xs",
                    [o8.step("w", "work", params={"x": "{{ context.data.item }}"})],
                    max_parallel=3),
    )  # fmt: skip
    inst = engine.create_instance(seq, {"xs": list(range(8))}).wait(timeout=30)
    assert inst.state == "completed"
    assert peak[0] == 3
    assert sorted(r.output for r in inst.output_rows() if r.block_id == "w") == list(range(8))


def test_a_failing_item_cancels_the_others_and_fails_the_block(engine: Engine) -> None:
    @engine.handler("maybe")
    def maybe(ctx: StepContext) -> int:
        if ctx.params["x"] == 2:
            raise o8.FailStep("item two is bad")
        return int(ctx.params["x"])

    with pytest.warns(o8.UnregisteredHandlerWarning):
        seq = engine.upsert_sequence(
            o8.sequence(
                "fails",
                o8.for_each(
                    "each", "context.data.xs",
                    [o8.step("m", "maybe", params={"x": "{{ context.data.item }}"}),
                     o8.step("slow", "remote-worker")],
                    max_parallel=4,
                ),
            )
        )  # fmt: skip
    inst = go(engine, seq, {"xs": [1, 2, 3]})
    assert inst.state == "failed"
    assert inst.error is not None and inst.error["block_id"] == "each"
    assert inst.error["message"].startswith("item 1 (instance ")
    assert "item two is bad" in inst.error["message"]
    assert sorted(k.state for k in inst.children()) == ["cancelled", "cancelled", "failed"]

    caught = go(
        engine,
        o8.sequence(
            "caught",
            o8.try_catch("t", [o8.for_each("each", "context.data.xs",
                                           [o8.step("m", "maybe", params={"x": 2})],
                                           max_parallel=2)],
                         [o8.step("h", "noop")]),
        ),
        {"xs": [1]},
    )  # fmt: skip
    assert caught.state == "completed" and states(caught)["h"] == "completed"


def test_cancelling_the_parent_cancels_running_items(engine: Engine) -> None:
    with pytest.warns(o8.UnregisteredHandlerWarning):
        seq = engine.upsert_sequence(
            o8.sequence(
                "waits",
                o8.for_each("each", "context.data.xs", [o8.step("w", "remote-worker")],
                            max_parallel=2),
            )
        )  # fmt: skip
    inst = go(engine, seq, {"xs": [1, 2, 3]})
    assert (inst.state, states(inst)["each"]) == ("waiting", "waiting")
    assert [k.state for k in inst.children()] == ["waiting", "waiting"]  # the third waits
    inst.cancel()
    engine.run_until_idle()
    assert inst.state == "cancelled"
    assert [k.state for k in inst.children()] == ["cancelled", "cancelled"]


def test_pause_while_items_run_then_resume(engine: Engine) -> None:
    with pytest.warns(o8.UnregisteredHandlerWarning):
        seq = engine.upsert_sequence(
            o8.sequence(
                "pausing",
                o8.for_each("each", "context.data.xs", [o8.step("w", "remote-worker")],
                            max_parallel=2),
            )
        )  # fmt: skip
    inst = go(engine, seq, {"xs": [1, 2, 3]})
    inst.pause()
    engine.run_until_idle()
    for task in engine.poll_tasks("remote-worker", "w1", limit=10):
        engine.complete_task(task.id, "w1", {"done": True})
    engine.run_until_idle()
    assert inst.state == "paused" and states(inst)["each"] == "waiting"
    inst.resume()
    engine.run_until_idle()
    [third] = engine.poll_tasks("remote-worker", "w1", limit=10)  # started after the resume
    engine.complete_task(third.id, "w1", {"done": True})
    engine.run_until_idle()
    assert inst.state == "completed" and len(inst.children()) == 3


def test_empty_collection_retain_iterations_and_nesting(engine: Engine) -> None:
    empty = go(engine, priced(), {"items": []})
    assert empty.state == "completed" and empty.children() == []
    assert (states(empty)["each"], states(empty)["p"]) == ("completed", "skipped")

    kept = go(engine, priced(retain_iterations=2), {"items": [1, 2, 3, 4]})
    assert kept.state == "completed"
    assert len([r for r in kept.output_rows() if r.block_id == "p"]) == 2

    twice = o8.sequence(
        "outer",
        o8.loop("l", "true", [o8.for_each("each", "context.data.xs",
                                          [o8.step("p", "noop")], max_parallel=2)],
                max_iterations=2),
    )  # fmt: skip
    inst = go(engine, twice, {"xs": [1, 2, 3]})
    assert inst.state == "completed" and len(inst.children()) == 6
