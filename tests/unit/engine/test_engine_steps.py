"""Sequential step roots: params, outputs, retries, timeouts, when, cache, schema, delay."""

from __future__ import annotations

import re
import threading
import warnings
from typing import Any

import pytest

from orch8_nb.engine import Engine, FailStep, RetryStep, StepContext


def seq(*blocks: dict[str, Any], name: str = "s", **extra: Any) -> dict[str, Any]:
    return {"name": name, "blocks": list(blocks), **extra}


def step(id: str, handler: str, **fields: Any) -> dict[str, Any]:
    return {"type": "step", "id": id, "handler": handler, **fields}


def test_templates_flow_between_steps(engine: Engine) -> None:
    @engine.handler("greet")
    def greet(ctx: StepContext) -> dict[str, str]:
        return {"text": f"hello {ctx.params['who']}"}

    inst = engine.run(
        seq(
            step("a", "greet", params={"who": "{{ context.data.name }}"}),
            step("b", "transform", params={"echo": "{{ outputs.a.text }}", "n": "{{ data.n }}"}),
        ),
        {"name": "ada", "n": 3},
        timeout=10,
    )
    assert inst.state == "completed"
    assert inst.outputs == {"a": {"text": "hello ada"}, "b": {"echo": "hello ada", "n": 3}}
    assert [(n.block_id, n.state) for n in inst.tree()] == [("a", "completed"), ("b", "completed")]


def test_async_handler_and_context_fields(engine: Engine) -> None:
    seen: list[StepContext] = []

    @engine.handler("look")
    async def look(ctx: StepContext) -> int:
        seen.append(ctx)
        return 7

    inst = engine.run(seq(step("x", "look", params={"k": 1})), {"a": 1}, timeout=10)
    assert inst.output("x") == 7
    ctx = seen[0]
    assert (ctx.instance_id, ctx.block_id, ctx.attempt, ctx.params) == (inst.id, "x", 0, {"k": 1})
    assert ctx.context["data"] == {"a": 1}
    assert ctx.idempotency_key == f"{inst.id}:x:0"


def test_context_access_filters_what_the_handler_sees(engine: Engine) -> None:
    seen: dict[str, Any] = {}

    @engine.handler("peek")
    def peek(ctx: StepContext) -> None:
        seen.update(ctx.context)

    engine.run(
        seq(step("p", "peek", context_access={"data": {"fields": ["keep"]}, "config": False})),
        context={"data": {"keep": 1, "secret": 2}, "config": {"c": 1}},
        timeout=10,
    )
    assert seen == {"data": {"keep": 1}}


def test_retry_with_backoff_then_success(engine: Engine) -> None:
    calls: list[int] = []

    @engine.handler("flaky")
    def flaky(ctx: StepContext) -> str:
        calls.append(ctx.attempt)
        if ctx.attempt < 2:
            raise RetryStep("not yet")
        return "ok"

    policy = {"max_attempts": 3, "initial_backoff": 1000, "max_backoff": 60000}
    inst = engine.create_instance(seq(step("f", "flaky", retry=policy)))
    engine.run_until_idle()
    assert inst.state == "completed"
    assert calls == [0, 1, 2]
    rows = inst.output_rows()
    assert [(r.output_ref, r.attempt) for r in rows] == [
        ("__retry__", 0),
        ("__retry__", 1),
        (None, 2),
    ]
    # Backoff: attempt 0 waits 1 s, attempt 1 waits 2 s (virtual time).
    retry_at = [r.output["retry_at"] for r in rows[:2]]
    assert retry_at[1] - retry_at[0] >= 2000


def test_retries_exhausted_fail_the_instance(engine: Engine) -> None:
    @engine.handler("boom")
    def boom(ctx: StepContext) -> None:
        raise ValueError("kaput")

    policy = {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}
    inst = engine.create_instance(seq(step("b", "boom", retry=policy), step("after", "noop")))
    engine.run_until_idle()
    assert inst.state == "failed"
    assert inst.error is not None
    assert inst.error["block_id"] == "b"
    assert "ValueError: kaput" in inst.error["message"]
    assert {n.block_id: n.state for n in inst.tree()} == {"b": "failed", "after": "cancelled"}


def test_fail_step_is_permanent(engine: Engine) -> None:
    calls = []

    @engine.handler("nope")
    def nope(ctx: StepContext) -> None:
        calls.append(1)
        raise FailStep("bad card", code="card_declined")

    policy = {"max_attempts": 5, "initial_backoff": 10, "max_backoff": 10}
    inst = engine.create_instance(seq(step("n", "nope", retry=policy)))
    engine.run_until_idle()
    assert inst.state == "failed" and calls == [1]


def test_non_retryable_codes_and_retry_if(engine: Engine) -> None:
    calls: dict[str, int] = {"a": 0, "b": 0}

    @engine.handler("coded")
    def coded(ctx: StepContext) -> None:
        calls[ctx.block_id] += 1
        raise RetryStep("rate limited", details={"status": ctx.params["status"]})

    base = {"max_attempts": 4, "initial_backoff": 10, "max_backoff": 10}
    engine.create_instance(
        seq(step("a", "coded", params={"status": 429},
                 retry={**base, "non_retryable_codes": ["429"]}))
    )  # fmt: skip
    engine.create_instance(
        seq(step("b", "coded", params={"status": 500},
                 retry={**base, "retry_if": "_error.details.status >= 500"}), name="t")
    )  # fmt: skip
    engine.run_until_idle()
    assert calls == {"a": 1, "b": 4}


def test_attempt_timeout_is_a_retryable_failure(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    release = threading.Event()

    @engine.handler("slow")
    async def slow(ctx: StepContext) -> None:
        import asyncio

        await asyncio.Event().wait()  # never finishes on its own

    inst = engine.run(seq(step("s", "slow", timeout=50)), timeout=10)
    release.set()
    assert inst.state == "failed"
    assert "timed out after 50 ms" in inst.error["message"]


def test_when_skips_and_bad_when_fails(engine: Engine) -> None:
    inst = engine.run(
        seq(step("a", "noop", when="go == true"), step("b", "noop")), {"go": False}, timeout=10
    )
    assert [(n.block_id, n.state) for n in inst.tree()] == [("a", "skipped"), ("b", "completed")]
    bad = engine.run(seq(step("a", "noop", when="((("), name="bad"), timeout=10)
    assert bad.state == "failed" and "when" in bad.error["message"]


def test_cache_key_memoizes_within_an_instance(engine: Engine) -> None:
    calls = []

    @engine.handler("expensive")
    def expensive(ctx: StepContext) -> dict[str, int]:
        calls.append(ctx.block_id)
        return {"v": len(calls)}

    inst = engine.run(
        seq(
            step("one", "expensive", cache_key="k-{{ data.q }}"),
            step("two", "expensive", cache_key="k-{{ data.q }}"),
        ),
        {"q": "x"},
        timeout=10,
    )
    assert calls == ["one"]
    assert inst.outputs == {"one": {"v": 1}, "two": {"v": 1}}


def test_output_schema_violation_is_permanent(engine: Engine) -> None:
    @engine.handler("shape")
    def shape(ctx: StepContext) -> dict[str, str]:
        return {"n": "not a number"}

    schema = {"type": "object", "properties": {"n": {"type": "number"}}}
    inst = engine.run(
        seq(step("s", "shape", output_schema=schema,
                 retry={"max_attempts": 3, "initial_backoff": 1, "max_backoff": 1})),
        timeout=10,
    )  # fmt: skip
    assert inst.state == "failed"
    assert "output_schema" in inst.error["message"]


def test_non_json_output_fails_the_step(engine: Engine) -> None:
    @engine.handler("weird")
    def weird(ctx: StepContext) -> object:
        return object()

    inst = engine.run(seq(step("w", "weird")), timeout=10)
    assert inst.state == "failed" and "not JSON" in inst.error["message"]


def test_durable_delay_runs_on_virtual_time(engine: Engine) -> None:
    inst = engine.create_instance(seq(step("later", "noop", delay={"duration": "3h"})))
    engine.tick_once()
    assert inst.state == "scheduled"
    start = engine.clock.now_ms()
    engine.run_until_idle()
    assert inst.state == "completed"
    assert engine.clock.now_ms() - start >= 3 * 3600 * 1000


def test_sleep_builtin_uses_the_engine_clock(engine: Engine) -> None:
    inst = engine.create_instance(seq(step("nap", "sleep", params={"duration_ms": 86_400_000})))
    engine.run_until_idle()
    assert inst.state == "completed"
    assert inst.output("nap") == {"slept_ms": 86_400_000}


def test_state_builtins_and_handler_state_commit_with_the_step(engine: Engine) -> None:
    @engine.handler("count")
    def count(ctx: StepContext) -> int:
        ctx.state["n"] = ctx.state.get("n", 0) + 1
        return int(ctx.state["n"])

    inst = engine.run(
        seq(
            step("set", "set_state", params={"key": "color", "value": "red"}),
            step("merge", "merge_state", params={"values": {"a": 1, "b": 2}}),
            step("c1", "count"),
            step("c2", "count"),
            step("get", "get_state", params={"key": "color"}),
            step("del", "delete_state", params={"key": "a"}),
            step("tpl", "transform", params={"color": "{{ state.color }}", "n": "{{ state.n }}"}),
            step("check", "assert", params={"condition": "outputs.c2 == 2"}),
        ),
        timeout=10,
    )
    assert inst.state == "completed", inst.error
    assert inst.outputs["get"] == {"key": "color", "value": "red"}
    assert inst.outputs["merge"] == {"merged_keys": ["a", "b"]}
    assert inst.outputs["del"] == {"key": "a", "deleted": True}
    assert inst.outputs["tpl"] == {"color": "red", "n": 2}


def test_assert_failure_and_fail_builtin(engine: Engine) -> None:
    a = engine.run(seq(step("x", "assert", params={"condition": "1 > 2", "message": "math"})))
    assert a.state == "failed" and a.error["message"] == "math"
    f = engine.run(seq(step("f", "fail", params={"message": "stop"}), name="f"))
    assert f.state == "failed" and f.error["message"] == "stop"


def test_log_builtin_keeps_the_message(engine: Engine) -> None:
    inst = engine.run(seq(step("l", "log", params={"message": "hi {{ data.n }}"})), {"n": 2})
    assert inst.output("l") == {"message": "hi 2"}


def test_template_error_fails_the_step_naming_the_root(engine: Engine) -> None:
    inst = engine.run(seq(step("t", "transform", params={"x": "{{ item }}"})), timeout=10)
    assert inst.state == "failed"
    assert inst.error["message"].startswith("params:")


def test_unknown_handler_becomes_a_worker_task(engine: Engine) -> None:
    with pytest.warns(UserWarning, match="send_email"):
        inst = engine.create_instance(
            seq(step("mail", "send_email", params={"to": "{{ data.to }}"}, queue_name="q1"),
                step("done", "noop")),
            {"to": "a@b.c"},
        )  # fmt: skip
    engine.run_until_idle()
    assert inst.state == "waiting"
    assert engine.poll_tasks("other", "w1") == []
    [task] = engine.poll_tasks("send_email", "w1")
    assert (task.params, task.queue_name, task.claim_epoch, task.state) == (
        {"to": "a@b.c"}, "q1", 1, "claimed",
    )  # fmt: skip
    engine.complete_task(task.id, "w1", {"sent": True}, claim_epoch=1)
    engine.run_until_idle()
    assert inst.state == "completed"
    assert inst.outputs["mail"] == {"sent": True}
    assert inst.data["sent"] is True  # worker outputs merge into context.data, as in Orch8


def test_worker_failure_retries_then_fails(engine: Engine) -> None:
    policy = {"max_attempts": 2, "initial_backoff": 100, "max_backoff": 100}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inst = engine.create_instance(seq(step("w", "remote", retry=policy)))
    engine.run_until_idle()
    [t1] = engine.poll_tasks("remote", "w1")
    engine.fail_task(t1.id, "w1", "flaky", retryable=True)
    engine.run_until_idle()
    [t2] = engine.poll_tasks("remote", "w1")
    assert t2.attempt == 1
    engine.fail_task(t2.id, "w1", "still flaky", retryable=True)
    engine.run_until_idle()
    assert inst.state == "failed"
    assert inst.error["message"] == "still flaky"


def test_stale_worker_lease_is_refused(engine: Engine) -> None:
    from orch8_nb.errors import ConflictError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        engine.create_instance(seq(step("w", "remote")))
    engine.run_until_idle()
    [task] = engine.poll_tasks("remote", "w1")
    with pytest.raises(ConflictError):
        engine.complete_task(task.id, "w2", {})
    with pytest.raises(ConflictError):
        engine.complete_task(task.id, "w1", {}, claim_epoch=task.claim_epoch + 1)
    engine.complete_task(task.id, "w1", {})  # the SDK style: no epoch, right worker


def test_sync_handlers_do_not_block_the_engine(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    gate = threading.Event()

    @engine.handler("blocker")
    def blocker(ctx: StepContext) -> None:
        gate.wait(10)

    slow = engine.create_instance(seq(step("b", "blocker"), name="slow"))
    quick = engine.run(seq(step("q", "noop"), name="quick"), timeout=10)
    assert quick.state == "completed"
    assert slow.state == "running"
    gate.set()
    assert slow.wait(10).state == "completed"


def test_registering_a_handler_late_brings_waiting_steps_back_in_process(engine: Engine) -> None:
    """A kernel restart resumes instances before the handler cells run again."""
    with pytest.warns(UserWarning, match="later_handler"):
        inst = engine.create_instance(seq(step("x", "later_handler"), name="late"))
    engine.run_until_idle()
    assert inst.state == "waiting"

    @engine.handler("later_handler")
    def later(ctx: StepContext) -> str:
        return "ran here"

    for _ in range(100):
        engine.run_until_idle()
        if inst.state == "completed":
            break
        threading.Event().wait(0.01)
    assert inst.state == "completed"
    assert inst.outputs == {"x": "ran here"}
    assert "later_handler" not in [t.handler_name for t in engine.poll_tasks("later_handler", "w")]
    assert "sent" not in inst.data  # ran as an in-process step: no worker-style merge


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"handler": "wasm://thing"}, "blocks[0].handler"),
    ],
)
def test_features_not_executed_yet_are_refused_not_ignored(
    engine: Engine, fields: dict[str, Any], where: str
) -> None:
    from orch8_nb.errors import UnsupportedFeatureError

    with pytest.raises(UnsupportedFeatureError, match=re.escape(where)):
        engine.upsert_sequence(seq({**step("a", "noop"), **fields}))


def test_refusals_name_paths_inside_composites(engine: Engine) -> None:
    from orch8_nb.errors import UnsupportedFeatureError

    inner = step("a", "wasm://resize")
    body = seq({"type": "parallel", "id": "p", "branches": [[step("b", "noop")], [inner]]})
    with pytest.raises(UnsupportedFeatureError, match=r"blocks\[0\]\.branches\[1\]\[0\]"):
        engine.upsert_sequence(body)
