"""Interceptors call their handler around steps, on signals, and as the instance ends."""

from __future__ import annotations

from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext


@pytest.fixture
def seen(engine: Engine) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    @engine.handler("hook")
    def hook(ctx: StepContext) -> dict[str, Any]:
        calls.append(dict(ctx.params))
        return {"noted": ctx.params["_hook"]["kind"]}

    return calls


def hooked(*blocks: Any, **hooks: Any) -> dict[str, Any]:
    """A sequence of ``blocks`` whose interceptors all call the ``hook`` handler."""
    body = o8.sequence("hooked", *blocks).model_dump(mode="json", exclude_none=True)
    body["interceptors"] = {k: {"handler": "hook", "params": v} for k, v in hooks.items()}
    return body


def test_before_and_after_every_step_and_on_complete(
    engine: Engine, seen: list[dict[str, Any]]
) -> None:
    seq = hooked(
        o8.step("a", "transform", params={"x": 1}), o8.step("b", "noop"),
        before_step={"who": "{{ context.data.user }}"}, after_step=None, on_complete={},
    )  # fmt: skip
    inst = engine.create_instance(seq, {"user": "ada"})
    engine.run_until_idle()
    assert inst.state == "completed"
    kinds = [(c["_hook"]["kind"], c["_hook"].get("block_id")) for c in seen]
    assert kinds == [("before_step", "a"), ("after_step", "a"), ("before_step", "b"),
                     ("after_step", "b"), ("on_complete", None)]  # fmt: skip
    assert seen[0]["who"] == "ada"  # templates in the hook's params are resolved
    assert seen[1]["_hook"]["output"] == {"x": 1} and seen[1]["_hook"]["ok"] is True
    assert inst.outputs["_interceptor:before:a"] == {"noted": "before_step"}
    assert inst.outputs["_interceptor:on_complete"] == {"noted": "on_complete"}
    assert [a.details["hook"] for a in inst.audit() if a.event_type == "interceptor"] == [
        "before_step", "after_step", "before_step", "after_step", "on_complete",
    ]  # fmt: skip


def test_on_failure_and_on_signal(engine: Engine, seen: list[dict[str, Any]]) -> None:
    seq = hooked(o8.step("a", "fail", params={"message": "boom"}), on_failure={"page": "ops"})
    inst = engine.create_instance(seq)
    engine.run_until_idle()
    assert inst.state == "failed"
    [call] = seen
    assert call["page"] == "ops" and call["_hook"]["error"]["message"] == "boom"

    seen.clear()
    with pytest.warns(o8.UnregisteredHandlerWarning):
        waits = engine.upsert_sequence(hooked(o8.step("w", "remote"), on_signal={}))
    inst = engine.create_instance(waits)
    engine.run_until_idle()
    inst.update_context({"k": 1})
    engine.run_until_idle()
    [call] = seen
    assert call["_hook"]["signal_type"] == "update_context"
    assert call["_hook"]["payload"] == {"data": {"k": 1}}


def test_a_failing_or_missing_hook_is_recorded_and_the_run_goes_on(engine: Engine) -> None:
    @engine.handler("broken_hook")
    def broken(ctx: StepContext) -> None:
        raise RuntimeError("hook crashed")

    body = o8.sequence("h", o8.step("a", "noop")).model_dump(mode="json", exclude_none=True)
    body["interceptors"] = {"before_step": {"handler": "broken_hook"},
                            "on_complete": {"handler": "nobody"}}  # fmt: skip
    inst = engine.create_instance(body)
    engine.run_until_idle()
    assert inst.state == "completed"
    assert "hook crashed" in inst.outputs["_interceptor:before:a"]["error"]
    assert inst.outputs["_interceptor:on_complete"] == {"error": "handler is not registered"}


def test_cleanup_steps_run_once_when_the_instance_fails_or_is_cancelled(
    engine: Engine, seen: list[dict[str, Any]]
) -> None:
    body = o8.sequence("c", o8.step("a", "fail", params={"message": "no"})).model_dump(
        mode="json", exclude_none=True
    )
    body["on_failure"] = [{"type": "step", "id": "a", "handler": "hook", "params": {"n": 1}}]
    body["on_cancel"] = [{"type": "step", "id": "bye", "handler": "hook", "params": {"n": 2}}]
    failed = engine.create_instance(body)
    engine.run_until_idle()
    assert failed.state == "failed"
    assert [c["n"] for c in seen] == [1]
    assert failed.outputs["_on_failure:a"] == {"noted": "on_failure"}

    with pytest.warns(o8.UnregisteredHandlerWarning):
        waits = engine.upsert_sequence({**body, "name": "c2", "blocks": [
            {"type": "step", "id": "w", "handler": "remote"}]})  # fmt: skip
    inst = engine.create_instance(waits)
    engine.run_until_idle()
    inst.cancel()
    engine.run_until_idle()
    assert inst.state == "cancelled" and [c["n"] for c in seen] == [1, 2]
    assert inst.outputs["_on_cancel:bye"] == {"noted": "on_cancel"}


def test_cleanup_lists_run_steps_only(engine: Engine) -> None:
    body = o8.sequence("c", o8.step("a", "noop")).model_dump(mode="json", exclude_none=True)
    body["on_failure"] = [{"type": "parallel", "id": "p", "branches": [
        [{"type": "step", "id": "x", "handler": "noop"}]]}]  # fmt: skip
    with pytest.raises(o8.UnsupportedFeatureError, match=r"on_failure\[0\] \('p'\): cleanup"):
        engine.upsert_sequence(body)
