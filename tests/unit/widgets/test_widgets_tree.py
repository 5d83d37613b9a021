"""ExecutionTree through a mock comm: the exact messages a real instance produces."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from widgetkit import Sent, eventually, js, quiet_for

from orch8_nb import dsl
from orch8_nb.engine import Engine, StepContext
from orch8_nb.widgets import ExecutionTree
from orch8_nb.widgets._live import LiveInstance

Capture = Callable[[Any], Sent]

MANY = dsl.sequence("many", *[dsl.step(f"s{i:02d}", "noop") for i in range(20)])
GATED = dsl.sequence(
    "gated",
    dsl.step("draft", "noop"),
    dsl.step("ship", "noop", wait_for_input=dsl.human_input("Ship it?")),
)
SLOW = dsl.sequence("slow", dsl.step("nap", "noop", delay=3_600_000))


def test_the_view_trait_is_the_full_live_view(eng: Engine) -> None:
    inst = eng.create_instance(GATED)
    tree = ExecutionTree(inst)
    assert tree._kind == "tree" and tree._protocol == 1
    assert tree.view["instance"] == {
        "state": "scheduled", "sequence_name": "gated", "version": 1, "error": None, "id": inst.id
    }  # fmt: skip
    assert tree.view["nodes"] == {"draft": {"state": "pending"}, "ship": {"state": "pending"}}
    assert tree.view["sequence"]["id"] == inst.snapshot().sequence_id  # live: ids kept


def test_many_events_are_coalesced_into_one_patch_and_the_end_is_sent_at_once(
    eng: Engine, capture: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long interval: only the terminal state can make a patch go out during the test.
    monkeypatch.setattr(ExecutionTree, "patch_interval", 30.0)
    inst = eng.create_instance(MANY)
    tree = ExecutionTree(inst)
    sent = capture(tree)
    eng.run_until_idle()  # ~60 node, output and instance events
    eventually(lambda: len(sent) == 2, timeout=5)
    quiet_for(0.2)
    assert sent == [
        {
            "type": "patch",
            "instance": {"state": "completed"},
            "nodes": {
                f"s{i:02d}": {"state": "completed", "attempt": 1, "duration_ms": 0}
                for i in range(20)
            },
        },
        # A new instance state: the output's static part follows, for the saved notebook.
        {"type": "static", "bundle": tree.static_bundle()},
    ]


def test_patches_at_the_default_rate_add_up_to_the_final_view(
    eng: Engine, capture: Capture
) -> None:
    inst = eng.create_instance(MANY)
    tree = ExecutionTree(inst)
    sent = capture(tree)
    eng.run_until_idle()
    final = LiveInstance(inst).snapshot()
    # Static bundles follow each new instance state; only the patches are folded here.
    eventually(lambda: any(p["instance"].get("state") == "completed" for p in sent.of("patch")))
    assert 1 <= len(sent.of("patch")) <= 3  # 60-odd events, a few messages
    view = dict(tree.view, nodes=dict(tree.view["nodes"]), instance=dict(tree.view["instance"]))
    for patch in sent.of("patch"):  # what the front end does (labextension/src/runs/patch.ts)
        view["instance"].update(patch["instance"])
        view["nodes"].update(patch["nodes"])
    assert view == final


def test_pause_from_the_tree_pauses_the_instance(eng: Engine, capture: Capture) -> None:
    inst = eng.create_instance(SLOW)  # scheduled; the engine runs only when told
    tree = ExecutionTree(inst)
    sent = capture(tree)
    js(tree, {"type": "control", "action": "pause"})
    assert sent.of("result") == [
        {"type": "result", "action": "pause", "ok": True, "message": "paused"}
    ]
    eng.tick_once()
    assert inst.state == "paused"
    eventually(lambda: {"state": "paused"} in [p["instance"] for p in sent.of("patch")])
    js(tree, {"type": "control", "action": "resume"})
    assert sent.of("result")[-1] == {
        "type": "result", "action": "resume", "ok": True, "message": "resumed"
    }  # fmt: skip


def test_approving_the_gate_lets_the_instance_finish(eng: Engine, capture: Capture) -> None:
    inst = eng.create_instance(GATED)
    eng.run_until_idle()
    tree = ExecutionTree(inst)
    assert tree.view["nodes"]["ship"] == {
        "state": "waiting", "waiting_for": "human input: Ship it?"
    }  # fmt: skip
    sent = capture(tree)
    js(tree, {"type": "control", "action": "approve", "block_id": "ship", "value": "yes",
              "comment": ""})  # fmt: skip
    assert sent.of("result") == [
        {"type": "result", "action": "approve", "ok": True, "message": "answered ship: yes"}
    ]
    eng.run_until_idle()
    assert inst.state == "completed"
    assert inst.outputs["ship"] == {}
    eventually(lambda: any(p["instance"].get("state") == "completed" for p in sent.of("patch")))
    js(tree, {"type": "inspect", "block_id": "ship"})
    assert sent.of("inspection")[-1]["gate"] is None  # answered: no buttons any more


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            {"action": "signal", "name": "update_context", "payload": "oops"},
            "invalid signal (1 problem):\n  - payload.data: update_context needs an object at "
            "payload.data",
        ),
        (
            {"action": "approve", "block_id": "ship", "value": "maybe"},
            "invalid signal (1 problem):\n  - payload.value: 'maybe' is not a choice of gate "
            "'ship' (choices: 'yes', 'no')",
        ),
        ({"action": "approve", "block_id": "draft"}, "step 'draft' has no human-input gate"),
        (
            {"action": "explode"},
            "unknown control action 'explode'; expected one of: pause, resume, cancel, retry, "
            "signal, approve",
        ),
    ],
)
def test_a_refused_control_answers_with_the_python_error(
    eng: Engine, capture: Capture, content: dict[str, Any], message: str
) -> None:
    inst = eng.create_instance(GATED)
    eng.run_until_idle()
    tree = ExecutionTree(inst)
    sent = capture(tree)
    js(tree, {"type": "control", **content})
    assert sent == [{"type": "result", "action": content["action"], "ok": False,
                     "message": message}]  # fmt: skip


def test_a_custom_signal_by_bare_name(eng: Engine, capture: Capture) -> None:
    inst = eng.create_instance(GATED)
    eng.run_until_idle()
    tree = ExecutionTree(inst)
    sent = capture(tree)
    js(tree, {"type": "control", "action": "signal", "name": "nudge", "payload": {"n": 1}})
    assert sent.of("result") == [
        {"type": "result", "action": "signal", "ok": True, "message": "signal nudge sent"}
    ]


def test_cancel_and_retry(eng: Engine, capture: Capture) -> None:
    calls: list[int] = []

    @eng.handler("once_bad")
    def once_bad(ctx: Any) -> dict[str, Any]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first time fails\ndetails")
        return {"ok": True}

    inst = eng.create_instance(dsl.sequence("retry-me", dsl.step("a", "once_bad")))
    eng.run_until_idle()
    tree = ExecutionTree(inst)
    assert tree.view["instance"]["error"] == "RuntimeError: first time fails"
    assert tree.view["nodes"]["a"] == {
        "state": "failed", "attempt": 1, "error": "RuntimeError: first time fails",
        "duration_ms": 0,
    }  # fmt: skip
    sent = capture(tree)
    js(tree, {"type": "control", "action": "retry"})
    assert sent.of("result")[-1]["ok"] is True
    eng.run_until_idle()
    assert inst.state == "completed"

    slow = eng.create_instance(SLOW)
    slow_tree = ExecutionTree(slow)
    slow_sent = capture(slow_tree)
    js(slow_tree, {"type": "control", "action": "cancel"})
    eng.tick_once()
    assert slow_sent.of("result") == [
        {"type": "result", "action": "cancel", "ok": True, "message": "cancelled"}
    ]
    assert slow.state == "cancelled"


def test_inspect_sends_the_block_s_story(eng: Engine, capture: Capture) -> None:
    calls: list[int] = []

    @eng.handler("flaky")
    def flaky(ctx: Any) -> dict[str, Any]:
        calls.append(1)
        if len(calls) < 2:
            raise RuntimeError("boom\nsecond line")
        return {"n": ctx.params["n"]}

    seq = dsl.sequence(
        "story",
        dsl.step("a", "flaky", params={"n": "{{ data.n }}"},
                 retry=dsl.retry(max_attempts=3, initial_backoff=100)),
        dsl.step("gate", "noop", wait_for_input=dsl.human_input("Ship?", allow_comment=True)),
    )  # fmt: skip
    inst = eng.create_instance(seq, {"n": 7})
    eng.run_until_idle()
    tree = ExecutionTree(inst)
    sent = capture(tree)
    js(tree, {"type": "inspect", "block_id": "a"})
    (msg,) = sent
    started = msg["attempts"][0]["started_at"]
    assert msg["type"] == "inspection" and msg["block_id"] == "a"
    assert msg["params"] == {"n": 7}
    assert msg["output"] == {"n": 7}
    assert msg["error"] is None
    assert [{k: v for k, v in a.items() if k != "duration_ms"} for a in msg["attempts"]] == [
        {"attempt": 1, "state": "retried", "started_at": started, "error": "RuntimeError: boom"},
        {"attempt": 2, "state": "completed", "started_at": started + 100, "error": None},
    ]
    assert all(isinstance(a["duration_ms"], int | float) for a in msg["attempts"])
    assert msg["context"]["data"] == {"n": 7}
    assert set(msg["context"]) == {"data", "config", "runtime"}
    assert [(a["event_type"], a["at"]) for a in msg["audit"]] == [
        ("step_attempt", started), ("step_attempt", started + 100)
    ]  # fmt: skip
    assert msg["audit"][0]["details"]["outcome"] == "retrying"
    assert msg["audit"][1]["details"]["params"] == {"n": 7}  # what the handler was given
    assert msg["gate"] is None

    # The context changes later: the params shown stay those the step ran with.
    inst.update_context({"n": 8})
    eng.run_until_idle()
    js(tree, {"type": "inspect", "block_id": "a"})
    assert sent[-1]["params"] == {"n": 7} and sent[-1]["context"]["data"] == {"n": 8}

    js(tree, {"type": "inspect", "block_id": "gate"})
    assert sent[-1]["gate"] == {"prompt": "Ship?", "choices": ["yes", "no"], "allow_comment": True}
    assert sent[-1]["params"] is None and sent[-1]["output"] is None

    js(tree, {"type": "inspect", "block_id": "nope"})
    assert sent[-1] == {"type": "result", "action": "inspect", "ok": False,
                        "message": "the sequence has no block 'nope'"}  # fmt: skip


def test_the_error_of_a_failed_block_is_inspected(eng: Engine, capture: Capture) -> None:
    @eng.handler("bad")
    def bad(ctx: Any) -> None:
        raise ValueError("nope")

    inst = eng.create_instance(dsl.sequence("bad", dsl.step("b", "bad")))
    eng.run_until_idle()
    tree = ExecutionTree(inst)
    sent = capture(tree)
    js(tree, {"type": "inspect", "block_id": "b"})
    assert sent[0]["error"]["message"] == "ValueError: nope"
    assert sent[0]["attempts"][0]["state"] == "failed"


def test_refresh_resets_the_view(eng: Engine, capture: Capture) -> None:
    inst = eng.create_instance(GATED)
    tree = ExecutionTree(inst)
    tree._follower.close()  # no patches: only the refresh can bring the news
    eng.run_until_idle()
    assert tree.view["nodes"]["ship"]["state"] == "pending"
    js(tree, {"type": "refresh"})
    assert tree.view["nodes"]["ship"]["state"] == "waiting"
    assert tree.view["instance"]["state"] == "waiting"


def test_close_stops_the_updates(eng: Engine, capture: Capture) -> None:
    inst = eng.create_instance(MANY)
    tree = ExecutionTree(inst)
    sent = capture(tree)
    tree.close()
    eng.run_until_idle()
    quiet_for(0.3)
    assert sent == []
    assert not eng.aio.bus.active


def test_malformed_and_unknown_messages_are_ignored(eng: Engine, capture: Capture) -> None:
    tree = ExecutionTree(eng.create_instance(GATED))
    sent = capture(tree)
    js(tree, ["not", "a", "dict"])  # type: ignore[arg-type]
    js(tree, {"type": "dance"})
    assert sent == []


def test_a_sleeping_step_counts_down_on_the_engine_clock(eng: Engine) -> None:
    inst = eng.create_instance(dsl.sequence("nap", dsl.step("nap", "noop", delay="1h")))
    eng.tick_once()  # reaches the step, which goes to sleep (run_until_idle would skip it)
    tree = ExecutionTree(inst)
    assert tree.view["nodes"]["nap"]["waiting_for"] == "timer"
    assert tree.view["nodes"]["nap"]["wakes_in_ms"] == 3_600_000
    eng.clock.advance(600_000)  # virtual time: ten minutes later
    tree.refresh()
    assert tree.view["nodes"]["nap"]["wakes_in_ms"] == 3_000_000


def live(sent: Sent, block: str = "think") -> dict[str, Any]:
    """The node view as the front end has it after the patches (each replaces it whole)."""
    view: dict[str, Any] = {}
    for patch in sent.of("patch"):
        view = patch["nodes"].get(block, view)
    return view


def test_streamed_model_text_shows_on_the_running_node_until_it_commits(
    eng: Engine, capture: Capture
) -> None:
    release = threading.Event()

    @eng.handler("think")
    def think(ctx: StepContext) -> dict[str, str]:
        assert ctx.emit is not None
        for piece in ("The answer ", "is ", "42."):
            ctx.emit("llm_delta", {"text": piece, "purpose": "turn 2"})
        release.wait(10)
        return {"answer": "42"}

    inst = eng.create_instance(dsl.sequence("stream", dsl.step("think", "think")))
    tree = ExecutionTree(inst)
    sent = capture(tree)
    runner = threading.Thread(target=eng.run_until_idle)
    runner.start()
    try:
        eventually(lambda: live(sent).get("stream") == "The answer is 42.")
        assert live(sent) == {"state": "running", "stream": "The answer is 42.", "turn": 2}
    finally:
        release.set()
        runner.join(10)
    assert inst.state == "completed"
    eventually(lambda: any(p["instance"].get("state") == "completed" for p in sent.of("patch")))
    assert live(sent)["state"] == "completed" and "stream" not in live(sent)


def test_an_update_due_after_the_engine_shut_down_stops_quietly(
    make_engine: Callable[..., Engine], caplog: pytest.LogCaptureFixture
) -> None:
    eng = make_engine("sqlite://:memory:", autostart=False)
    inst = eng.create_instance(GATED)
    tree = ExecutionTree(inst)
    eng.shutdown()
    tree._follower.throttle.push()  # an event that arrived just before the shutdown
    quiet_for(0.3)
    assert not [r for r in caplog.records if r.name == "orch8_nb.widgets"]
