"""Every composite inside every other composite: the leaf inside runs, the instance completes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext

KINDS = (
    "parallel", "race", "loop", "for_each", "router", "try_catch", "sub_sequence", "ab_split",
    "cancellation_scope", "saga",
)  # fmt: skip
Inner = Callable[[str], list[Any]]


def wrap(engine: Engine, kind: str, prefix: str, inner: Inner) -> Any:
    """A ``kind`` block (id ``<prefix><kind>``) whose body is ``inner(<fresh prefix>)``."""
    i = f"{prefix}{kind}"
    if kind == "parallel":
        return o8.parallel(i, inner(f"{i}_a_"), [o8.step(f"{i}_b", "noop")])
    if kind == "race":  # the other branch waits for a person forever and loses
        gate = o8.step(f"{i}_gate", "noop", wait_for_input={"prompt": "never answered"})
        return o8.race(i, inner(f"{i}_a_"), [gate])
    if kind == "loop":
        return o8.loop(i, "true", inner(f"{i}_"), max_iterations=2)
    if kind == "for_each":
        return o8.for_each(i, "context.data.xs", inner(f"{i}_"))
    if kind == "router":
        route = o8.route("context.data.xs != null", *inner(f"{i}_"))
        return o8.router(i, [route], default=[o8.step(f"{i}_d", "noop")])
    if kind == "try_catch":
        return o8.try_catch(i, inner(f"{i}_"), [o8.step(f"{i}_c", "noop")])
    if kind == "sub_sequence":
        engine.upsert_sequence(o8.sequence(f"child_{i}", *inner(f"{i}_")))
        return o8.sub_sequence(i, f"child_{i}", input={"xs": "{{ context.data.xs }}"})
    if kind == "ab_split":
        return o8.ab_split(
            i, o8.variant("a", 50, *inner(f"{i}_a_")), o8.variant("b", 50, *inner(f"{i}_b_"))
        )
    if kind == "cancellation_scope":
        return o8.cancellation_scope(i, *inner(f"{i}_"))
    assert kind == "saga"
    [action] = inner(f"{i}_")
    return o8.saga(i, o8.saga_step(f"{i}_s", action, o8.step(f"{i}_undo", "noop")))


@pytest.mark.parametrize("outer", KINDS)
def test_each_composite_runs_every_other_composite_inside(engine: Engine, outer: str) -> None:
    ran: list[str] = []

    @engine.handler("mark")
    def mark(ctx: StepContext) -> str:
        ran.append(ctx.block_id)
        return ctx.block_id

    def leaf(prefix: str) -> list[Any]:
        return [o8.step(f"{prefix}leaf", "mark")]

    for inner in (k for k in KINDS if k != outer):
        ran.clear()
        body = wrap(engine, outer, "o_", lambda p, k=inner: [wrap(engine, k, p, leaf)])
        inst = engine.create_instance(o8.sequence(f"nest_{outer}_{inner}", body), {"xs": [1, 2]})
        engine.run_until_idle()
        assert inst.state == "completed", (outer, inner, inst.error)
        assert ran, f"the leaf inside {outer} > {inner} never ran"


#: How often the body of each kind runs in the pause test (loops go twice).
PASSES = {"loop": 2, "for_each": 2}


@pytest.mark.parametrize("kind", KINDS)
def test_pause_and_resume_in_the_middle_of_each_composite(engine: Engine, kind: str) -> None:
    ran: list[str] = []
    paused_once: set[str] = set()

    @engine.handler("pause_me")
    def pause_me(ctx: StepContext) -> str:
        """Pauses its own instance the first time it runs there (the block stays active)."""
        ran.append(ctx.instance_id)
        if ctx.instance_id not in paused_once:
            paused_once.add(ctx.instance_id)
            engine.send_signal(ctx.instance_id, "pause")
        return "ok"

    body = wrap(engine, kind, "", lambda p: [o8.step(f"{p}work", "pause_me")])
    inst = engine.create_instance(
        o8.sequence(f"pause_{kind}", body, o8.step("after", "noop")), {"xs": [1, 2]}
    )
    engine.run_until_idle()
    [paused] = [engine.get_instance(i) for i in paused_once]
    assert paused.state == "paused"
    if paused == inst:
        node_states = {n.block_id: str(n.state) for n in inst.tree()}
        assert (node_states[kind], node_states["after"]) == ("running", "pending")
    paused.resume()
    engine.run_until_idle()
    assert inst.state == "completed", inst.error
    assert len(ran) == PASSES.get(kind, 1)


#: How an instance ends when the only step inside a composite fails for good.
ON_FAILURE = {"try_catch": "completed"}


@pytest.mark.parametrize("kind", KINDS)
def test_a_failing_step_inside_each_composite(engine: Engine, kind: str) -> None:
    body = wrap(engine, kind, "", lambda p: [o8.step(f"{p}bad", "fail")])
    inst = engine.create_instance(
        o8.sequence(f"failing_{kind}", body, o8.step("after", "noop")), {"xs": [1, 2]}
    )
    engine.run_until_idle()
    assert inst.state == ON_FAILURE.get(kind, "failed"), inst.error
    node_states = {n.block_id: str(n.state) for n in inst.tree()}
    if inst.state == "failed":
        assert (node_states[kind], node_states["after"]) == ("failed", "cancelled")


@pytest.mark.parametrize("kind", KINDS)
def test_cancel_in_the_middle_of_each_composite(engine: Engine, kind: str) -> None:
    gate = {"prompt": "hold"}
    body = wrap(engine, kind, "", lambda p: [o8.step(f"{p}hold", "noop", wait_for_input=gate)])
    seq = o8.sequence(f"cancel_{kind}", body, o8.step("after", "noop"))
    inst = engine.create_instance(seq, {"xs": [1, 2]})
    engine.run_until_idle()
    assert inst.state == "waiting"
    inst.cancel()
    engine.run_until_idle()
    if kind == "cancellation_scope":  # the cancel waits for the scope to drain
        assert inst.state == "waiting"
        inst.approve("cancellation_scope_hold", "yes")
        engine.run_until_idle()
    assert inst.state == "cancelled"
    assert {n.block_id: str(n.state) for n in inst.tree()}["after"] == "cancelled"
    assert all(k.state == "cancelled" for k in inst.children())
    open_nodes = [n.block_id for n in inst.tree() if str(n.state) in ("running", "waiting")]
    assert open_nodes == []
