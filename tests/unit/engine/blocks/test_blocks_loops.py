"""loop and for_each."""

from __future__ import annotations

from typing import Any

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext


def go(engine: Engine, seq: Any, data: Any = None) -> Any:
    """Create an instance and run everything due, skipping virtual time."""
    inst = engine.create_instance(seq, data)
    engine.run_until_idle()
    return inst


def test_loop_runs_while_condition_holds(engine: Engine) -> None:
    @engine.handler("bump")
    def bump(ctx: StepContext) -> int:
        ctx.state["n"] = ctx.state.get("n", 0) + 1
        return int(ctx.state["n"])

    seq = o8.sequence("lp", o8.loop("l", "state.n == null || state.n < 3", [o8.step("b", "bump")]))
    inst = go(engine, seq)
    assert inst.state == "completed"
    assert inst.outputs["l"] == {"_iterations": 3}
    rows = [r.output for r in inst.output_rows() if r.block_id == "b"]
    assert rows == [1, 2, 3]  # one output row per iteration


def test_loop_break_on_max_iterations_and_failure(engine: Engine) -> None:
    brk = o8.sequence(
        "brk", o8.loop("l", "true", [o8.step("x", "noop")], break_on="outputs.l._iterations >= 2")
    )
    assert go(engine, brk).outputs["l"] == {"_iterations": 2}
    cap = o8.sequence("cap", o8.loop("l", "true", [o8.step("x", "noop")], max_iterations=4))
    assert go(engine, cap).outputs["l"] == {"_iterations": 4}
    bad = o8.sequence("bad", o8.loop("l", "true", [o8.step("x", "fail")], max_iterations=3))
    assert go(engine, bad).state == "failed"
    cont = o8.sequence(
        "cont",
        o8.loop("l", "true", [o8.step("x", "fail")], max_iterations=3, continue_on_error=True),
    )
    inst = go(engine, cont)
    assert inst.state == "completed" and inst.outputs["l"] == {"_iterations": 3}


def test_loop_poll_interval_waits_between_iterations(engine: Engine) -> None:
    seq = o8.sequence(
        "poll", o8.loop("l", "true", [o8.step("x", "noop")], max_iterations=3, poll_interval=60)
    )
    start = engine.clock.now_ms()
    inst = go(engine, seq)
    assert inst.state == "completed"
    assert engine.clock.now_ms() - start >= 120_000


def test_for_each_binds_items_and_writes_markers(engine: Engine) -> None:
    seq = o8.sequence(
        "fe",
        o8.for_each(
            "each",
            "context.data.orders",
            [o8.step("ship", "transform", params={"order": "{{ context.data.order }}"})],
            item_var="order",
        ),
    )
    inst = go(engine, seq, {"orders": ["a", "b", "c"]})
    assert inst.state == "completed"
    rows = [(r.block_id, r.output) for r in inst.output_rows()]
    assert rows == [
        ("each", {"_index": 0, "_total": 3, "_item_var": "order"}),
        ("ship", {"order": "a"}),
        ("each", {"_index": 1, "_total": 3, "_item_var": "order"}),
        ("ship", {"order": "b"}),
        ("each", {"_index": 2, "_total": 3, "_item_var": "order"}),
        ("ship", {"order": "c"}),
    ]
    assert "order" not in inst.data  # the item variable is removed afterwards


def test_for_each_empty_missing_and_failing(engine: Engine) -> None:
    body = [o8.step("x", "noop")]
    assert (
        go(engine, o8.sequence("e1", o8.for_each("f", "items", body)), {"items": []}).state
        == "completed"
    )
    assert go(engine, o8.sequence("e2", o8.for_each("f", "items", body))).state == "completed"
    bad = o8.sequence("e3", o8.for_each("f", "items", [o8.step("x", "fail")]))
    assert go(engine, bad, {"items": [1]}).state == "failed"


def test_delays_repeat_in_every_iteration(engine: Engine) -> None:
    seq = o8.sequence("dl", o8.for_each("f", "items", [o8.step("w", "noop", delay="1h")]))
    start = engine.clock.now_ms()
    assert go(engine, seq, {"items": [1, 2, 3]}).state == "completed"
    assert engine.clock.now_ms() - start >= 3 * 3_600_000


def test_nesting_every_composite_inside_another(engine: Engine) -> None:
    leaf = o8.step
    seq = o8.sequence(
        "nest",
        o8.for_each(
            "outer",
            "items",
            [
                o8.parallel(
                    "par",
                    [o8.router("rt", [o8.route("context.data.item > 1", leaf("big", "noop"))],
                               default=[leaf("small", "noop")])],
                    [o8.try_catch("tc", [leaf("boom", "fail")], [
                        o8.race("rc", [leaf("win", "noop")],
                                [leaf("lose", "sleep", params={"duration_ms": 1000})]),
                    ])],
                    [o8.loop("lp", "true", [
                        o8.cancellation_scope("cs", o8.ab_split(
                            "ab", o8.variant("a", 1, leaf("va", "noop")),
                            o8.variant("b", 1, leaf("vb", "noop")))),
                    ], max_iterations=2)],
                ),
            ],
        ),
    )  # fmt: skip
    inst = go(engine, seq, {"items": [1, 2]})
    assert inst.state == "completed", inst.error
    assert inst.outputs["lp"] == {"_iterations": 2}
    by_block: dict[str, list[Any]] = {}
    for row in inst.output_rows():
        by_block.setdefault(row.block_id, []).append(row.output)
    assert len(by_block["win"]) == 2 and len(by_block["outer"]) == 2


def test_retain_iterations_keeps_only_the_last_n_iterations(engine: Engine) -> None:
    loop = o8.sequence(
        "keep",
        o8.loop("l", "true", [o8.step("x", "noop"), o8.step("y", "noop")], max_iterations=5,
                retain_iterations=2),
    )  # fmt: skip
    inst = go(engine, loop)
    assert inst.state == "completed" and inst.outputs["l"] == {"_iterations": 5}
    rows = [(r.block_id, r.output) for r in inst.output_rows()]
    # the end marker of pass 3 bounds what is kept: passes 4 and 5
    assert rows == [
        ("l", {"_iterations": 3}),
        ("x", {}), ("y", {}), ("l", {"_iterations": 4}),
        ("x", {}), ("y", {}), ("l", {"_iterations": 5}),
    ]  # fmt: skip

    each = o8.sequence(
        "keep_each",
        o8.for_each("e", "context.data.xs", [o8.step("t", "transform", params={
            "v": "{{ context.data.item }}"})], retain_iterations=2),
        o8.step("after", "transform", params={"last": "{{ outputs.t.v }}"}),
    )  # fmt: skip
    inst = go(engine, each, {"xs": [1, 2, 3, 4]})
    assert inst.state == "completed" and inst.outputs["after"] == {"last": 4}
    kept = [(r.block_id, r.output) for r in inst.output_rows() if r.block_id in ("e", "t")]
    assert kept == [
        ("e", {"_index": 2, "_total": 4, "_item_var": "item"}), ("t", {"v": 3}),
        ("e", {"_index": 3, "_total": 4, "_item_var": "item"}), ("t", {"v": 4}),
    ]  # fmt: skip

    none = o8.sequence(
        "keep_none",
        o8.for_each("e", "context.data.xs", [o8.step("t", "noop")], retain_iterations=0),
    )
    inst = go(engine, none, {"xs": [1, 2]})
    assert inst.state == "completed"
    assert [r.block_id for r in inst.output_rows()] == []
