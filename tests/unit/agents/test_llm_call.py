"""``llm_call`` as a step, with the scripted provider: output shape, accounting, streaming
to the event bus, JSON answers and their repair, failover, params errors."""

from __future__ import annotations

from typing import Any

import pytest
from agentkit import audit_of, output, run

import orch8_nb as o8
from orch8_nb import ProviderError
from orch8_nb.engine import Engine


def one(params: dict[str, Any]) -> Any:
    return o8.sequence("ask", o8.step("ask", "llm_call", params=params))


def test_the_output_has_orch8s_shape_and_the_cost_comes_from_the_price_table(
    engine: Engine,
) -> None:
    engine.llm.script({"content": "Hi!", "usage": [1000, 200]}, name="m")
    engine.llm.prices.set("tiny", input=1.0, output=4.0)
    inst = run(engine, one({"provider": "m", "model": "tiny", "messages": "hello"}))
    assert inst.state == "completed"
    out = output(engine, inst, "ask")
    assert out["provider"] == "m" and out["model"] == "tiny"
    assert out["message"] == {"role": "assistant", "content": "Hi!"}
    assert out["finish_reason"] == "stop"
    assert out["usage"] == {"input_tokens": 1000, "output_tokens": 200, "total_tokens": 1200,
                            "cost_microunits": 1800, "priced": True, "calls": 1}  # fmt: skip
    assert out["cached"] is False
    [call] = audit_of(engine, inst, "llm_call")
    assert call["ok"] and call["cost_microunits"] == 1800 and call["total_tokens"] == 1200
    assert call["model"] == "tiny" and call["cached"] is False and "latency_ms" in call


def test_an_unknown_model_costs_nothing_and_says_it_was_not_priced(engine: Engine) -> None:
    engine.llm.script({"content": "x", "usage": [10, 10]}, name="m")
    inst = run(engine, one({"provider": "m", "model": "my-local-model", "messages": "hi"}))
    usage = output(engine, inst, "ask")["usage"]
    assert usage["cost_microunits"] == 0 and usage["priced"] is False


def test_prices_match_the_longest_known_prefix(engine: Engine) -> None:
    prices = engine.llm.prices
    assert prices.get("gpt-4o-mini-2024-07-18") == prices.get("gpt-4o-mini")
    assert prices.get("gpt-4o-2024-08-06") == prices.get("gpt-4o")
    with pytest.raises(ValueError, match="negative"):
        prices.set("x", input=-1, output=0)


def test_streamed_text_reaches_the_event_bus_and_the_final_answer_commits(
    engine: Engine,
) -> None:
    engine.llm.script("The quick brown fox jumps", name="m")
    seen: list[dict[str, Any]] = []
    engine.aio.bus.subscribe(lambda e: seen.append(e.data) if e.kind == "llm_delta" else None)
    inst = run(engine, one({"provider": "m", "messages": "go", "stream": True}))
    assert "".join(d["text"] for d in seen) == "The quick brown fox jumps"
    assert len(seen) == 5 and all(d["block_id"] == "ask" for d in seen)
    assert output(engine, inst, "ask")["message"]["content"] == "The quick brown fox jumps"


def test_json_answers_are_parsed_and_their_keys_merged(engine: Engine) -> None:
    engine.llm.script('```json\n{"action": "finish", "answer": 42}\n```', name="m")
    params = {"provider": "m", "messages": "x", "response_format": {"type": "json_object"}}
    out = output(engine, run(engine, one(params)), "ask")
    assert out["parsed"] == {"action": "finish", "answer": 42}
    assert out["action"] == "finish" and out["answer"] == 42 and out["repairs"] == 0


SCHEMA = {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}


def test_an_answer_that_breaks_the_schema_is_repaired_by_asking_again(engine: Engine) -> None:
    scripted = engine.llm.script("Paris, I think", '{"town": "Paris"}', '{"city": "Paris"}',
                                 name="m")  # fmt: skip
    inst = run(engine, one({"provider": "m", "messages": "where?", "response_schema": SCHEMA}))
    out = output(engine, inst, "ask")
    assert inst.state == "completed" and out["parsed"] == {"city": "Paris"}
    assert out["repairs"] == 2 and out["usage"]["calls"] == 3
    repair = scripted.requests[1].messages
    assert repair[-2] == {"role": "assistant", "content": "Paris, I think"}
    assert "not JSON" in repair[-1]["content"] and '"city"' in repair[-1]["content"]
    assert "'city' is a required property" in scripted.requests[2].messages[-1]["content"]
    purposes = [c["purpose"] for c in audit_of(engine, inst, "llm_call")]
    assert purposes == ["call", "repair", "repair"]


def test_an_answer_still_invalid_after_the_repairs_fails_the_step(engine: Engine) -> None:
    engine.llm.script("no", "still no", name="m")
    params = {"provider": "m", "messages": "x", "response_schema": SCHEMA,
              "max_repair_attempts": 1}  # fmt: skip
    inst = run(engine, one(params))
    assert inst.state == "failed"
    attempt = audit_of(engine, inst, "step_attempt")[-1]
    assert attempt["outcome"] == "failed"
    assert "still invalid after 1 repair attempt" in attempt["error"]["message"]
    assert attempt["error"]["retryable"] is False


def test_failover_goes_to_the_next_provider_and_records_the_failure(engine: Engine) -> None:
    engine.llm.script(ProviderError("bad key", retryable=False, status=401), name="first")
    engine.llm.script("from the second", name="second")
    params = {"providers": ["first", {"provider": "second", "model": "b"}], "model": "a",
              "messages": "x"}  # fmt: skip
    inst = run(engine, one(params))
    out = output(engine, inst, "ask")
    assert out["provider"] == "second" and out["model"] == "b"
    calls = audit_of(engine, inst, "llm_call")
    assert [(c["provider"], c["ok"]) for c in calls] == [("first", False), ("second", True)]
    assert calls[0]["status"] == 401 and calls[0]["error"] == "bad key"


def test_retryable_errors_are_retried_then_the_step_retries(engine: Engine) -> None:
    busy = ProviderError("overloaded", retryable=True, status=503, retry_after_s=0)
    engine.llm.script(busy, busy, "ok", name="m")
    params = {"provider": "m", "messages": "x", "max_retries": 1}
    seq = o8.sequence("ask", o8.step("ask", "llm_call", params=params, retry=o8.retry(2, "1s")))
    inst = run(engine, seq)
    assert inst.state == "completed"
    outcomes = [a["outcome"] for a in audit_of(engine, inst, "step_attempt")]
    assert outcomes == ["retrying", "completed"]
    assert [c["ok"] for c in audit_of(engine, inst, "llm_call")] == [False, False, True]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"provider": "nope", "model": "m", "messages": "x"}, "params.provider: unknown provider"),
        ({"provider": "m", "messages": []}, "params.messages: must be a non-empty list"),
        ({"provider": "m", "messages": "x", "temperature": 7}, "params.temperature"),
        (
            {"provider": "m", "messages": [{"role": "robot", "content": "x"}]},
            "params.messages[0].role",
        ),
        ({"provider": "m", "messages": "x", "tools": ["missing"]}, "unknown tool 'missing'"),
        (
            {"provider": "m", "messages": "x", "response_format": {"type": "xml"}},
            "params.response_format",
        ),
        ({"providers": [{"provider": "m"}, 3], "messages": "x"}, "params.providers[1]"),
    ],
)
def test_bad_params_fail_the_step_naming_the_field(
    engine: Engine, params: dict[str, Any], message: str
) -> None:
    engine.llm.script("unused", name="m")
    inst = run(engine, one(params))
    assert inst.state == "failed"
    error = audit_of(engine, inst, "step_attempt")[-1]["error"]
    assert message in error["message"] and error["retryable"] is False


def test_a_hosted_provider_without_a_key_names_the_variable(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    inst = run(engine, one({"model": "gpt-4o-mini", "messages": "x"}))
    error = audit_of(engine, inst, "step_attempt")[-1]["error"]
    assert "set the environment variable OPENAI_API_KEY" in error["message"]


def test_api_keys_in_params_never_reach_the_audit_log(engine: Engine) -> None:
    engine.llm.script("ok", name="m")
    inst = run(engine, one({"provider": "m", "messages": "x", "api_key": "sk-secret"}))
    assert inst.state == "completed"
    assert "sk-secret" not in str([a.details for a in engine.audit(inst.id)])


def test_a_conversation_in_state_grows_by_each_answer(engine: Engine) -> None:
    scripted = engine.llm.script("one", "two", name="m")
    params = {"provider": "m", "messages": "count", "conversation": "chat"}
    seq = o8.sequence("chat", o8.step("a", "llm_call", params=params),
                      o8.step("b", "llm_call", params=params))  # fmt: skip
    inst = run(engine, seq)
    assert inst.state == "completed"
    assert [m["content"] for m in scripted.requests[1].messages] == ["count", "one"]
    assert [m["content"] for m in inst.kv["chat"]] == ["count", "one", "two"]
