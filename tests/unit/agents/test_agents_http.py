"""The agent handlers over real HTTP against fake OpenAI-compatible and Anthropic servers
on loopback: streaming, tool calls, failover, retries, timeouts, repair of malformed
answers, and record/replay (strict replay fails on a miss)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from agentkit import audit_of, output, run

import orch8_nb as o8
from orch8_nb.engine import Engine
from orch8_nb.testing import FakeLLMServer


@pytest.fixture
def openai() -> Iterator[FakeLLMServer]:
    with FakeLLMServer("openai") as server:
        yield server


@pytest.fixture
def anthropic() -> Iterator[FakeLLMServer]:
    with FakeLLMServer("anthropic") as server:
        yield server


def via(server: FakeLLMServer, **params: Any) -> dict[str, Any]:
    model = "gpt-4o-mini" if server.protocol == "openai" else "claude-3-5-haiku-latest"
    return {"provider": server.protocol, "base_url": server.url, "model": model, **params}


def one(handler: str, params: dict[str, Any]) -> Any:
    return o8.sequence("ask", o8.step("ask", handler, params=params))


def register_lookup(engine: Engine, calls: list[str]) -> None:
    @engine.tool
    def lookup(topic: str) -> dict[str, str]:
        """Look a topic up in the notes."""
        calls.append(topic)
        return {"topic": topic, "note": f"{topic} is well documented"}


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
def test_a_streamed_agent_turn_calls_a_tool_and_answers(
    engine: Engine, protocol: str, request: pytest.FixtureRequest
) -> None:
    server: FakeLLMServer = request.getfixturevalue(protocol)
    calls: list[str] = []
    register_lookup(engine, calls)
    server.reply(tool_calls=[{"id": "t1", "name": "lookup", "arguments": {"topic": "SQLite"}}],
                 usage=(50, 10))  # fmt: skip
    server.reply(content="SQLite is well documented.", usage=(80, 8))
    deltas: list[str] = []
    engine.aio.bus.subscribe(
        lambda e: deltas.append(e.data["text"]) if e.kind == "llm_delta" else None
    )
    inst = run(engine, one("agent", via(server, goal="Tell me about SQLite", stream=True)))
    assert inst.state == "completed"
    out = output(engine, inst, "ask")
    assert out["final"] == "SQLite is well documented." and out["stop_reason"] == "completed"
    assert out["iterations"] == 2 and out["tool_calls_made"] == 1 and calls == ["SQLite"]
    assert "".join(deltas) == "SQLite is well documented." and len(deltas) > 1
    assert out["usage"]["input_tokens"] == 130 and out["usage"]["output_tokens"] == 18
    assert out["usage"]["cost_microunits"] > 0  # both models are in the price table
    second = server.requests[1]["json"]
    assert second["stream"] is True
    assert "SQLite is well documented" in json.dumps(second["messages"])
    assert "lookup" in json.dumps(second["tools"])


def test_failover_after_server_errors_goes_to_the_second_provider(
    engine: Engine, openai: FakeLLMServer, anthropic: FakeLLMServer
) -> None:
    openai.fail(500, "boom").fail(502, "bad gateway")
    anthropic.reply(content="from Claude")
    params = {"providers": [via(openai), via(anthropic)], "messages": "hi", "max_retries": 1}
    inst = run(engine, one("llm_call", params))
    out = output(engine, inst, "ask")
    assert out["provider"] == "anthropic" and out["message"]["content"] == "from Claude"
    calls = audit_of(engine, inst, "llm_call")
    assert [(c["provider"], c["ok"], c.get("status")) for c in calls] == [
        ("openai", False, 500), ("openai", False, 502), ("anthropic", True, None)]  # fmt: skip
    assert len(openai.requests) == 2 and len(anthropic.requests) == 1


def test_a_rate_limit_is_retried_after_retry_after(engine: Engine, openai: FakeLLMServer) -> None:
    openai.fail(429, "slow down", retry_after=0.05).reply(content="ok now")
    inst = run(engine, one("llm_call", via(openai, messages="hi")))
    assert output(engine, inst, "ask")["message"]["content"] == "ok now"
    failed = audit_of(engine, inst, "llm_call")[0]
    assert failed["status"] == 429 and failed["retryable"] is True


def test_a_client_error_is_not_retried(engine: Engine, openai: FakeLLMServer) -> None:
    openai.fail(400, "model not found")
    inst = run(engine, one("llm_call", via(openai, messages="hi")))
    assert inst.state == "failed" and len(openai.requests) == 1
    error = audit_of(engine, inst, "step_attempt")[-1]["error"]
    assert "model not found" in error["message"] and error["retryable"] is False


def test_a_slow_provider_times_out_and_the_next_one_answers(
    engine: Engine, openai: FakeLLMServer, anthropic: FakeLLMServer
) -> None:
    openai.reply(content="too late", delay_s=5)
    anthropic.reply(content="in time")
    params = {"providers": [via(openai), via(anthropic)], "messages": "hi", "max_retries": 0,
              "per_provider_timeout_secs": 0.3}  # fmt: skip
    inst = run(engine, one("llm_call", params))
    assert output(engine, inst, "ask")["message"]["content"] == "in time"
    first = audit_of(engine, inst, "llm_call")[0]
    assert first["kind"] == "timeout" and first["provider"] == "openai"


def test_malformed_json_is_repaired_over_http(engine: Engine, openai: FakeLLMServer) -> None:
    openai.reply(content='{"answer": 4,').reply(content='{"answer": 4}')
    schema = {"type": "object", "required": ["answer"],
              "properties": {"answer": {"type": "integer"}}}  # fmt: skip
    inst = run(engine, one("llm_call", via(openai, messages="2+2?", response_schema=schema)))
    out = output(engine, inst, "ask")
    assert out["parsed"] == {"answer": 4} and out["answer"] == 4 and out["repairs"] == 1
    assert openai.requests[0]["json"]["response_format"]["type"] == "json_schema"
    assert "not JSON" in openai.requests[1]["json"]["messages"][-1]["content"]


def test_strict_replay_fails_on_a_miss_and_replays_a_recording_without_http(
    engine: Engine, openai: FakeLLMServer
) -> None:
    engine.llm.mode = "strict"
    missed = run(engine, one("llm_call", via(openai, messages="hi")))
    assert missed.state == "failed" and openai.requests == []
    error = audit_of(engine, missed, "step_attempt")[-1]["error"]
    assert "cassette miss in strict mode" in error["message"] and error["code"] == "cassette_miss"

    engine.llm.mode = "replay"
    openai.reply(content="recorded", usage=(7, 3))
    first = run(engine, one("llm_call", via(openai, messages="hi")))
    assert output(engine, first, "ask")["cached"] is False and len(openai.requests) == 1

    engine.llm.mode = "strict"
    again = run(engine, one("llm_call", via(openai, messages="hi", stream=True)))
    out = output(engine, again, "ask")
    assert out["message"]["content"] == "recorded" and out["cached"] is True
    assert out["usage"]["input_tokens"] == 7  # what the recorded call used
    assert len(openai.requests) == 1  # not paid twice
    assert audit_of(engine, again, "llm_call")[0]["cached"] is True


def test_a_cassette_file_replays_in_a_new_engine_with_no_server(
    make_engine: Any, tmp_path: Path, openai: FakeLLMServer
) -> None:
    cassette = tmp_path / "agent.cassette.json"
    recorder = make_engine(f"sqlite:///{tmp_path / 'a.db'}", autostart=False)
    recorder.llm.use_cassette(cassette, mode="record")
    openai.reply(content="from the file")
    run(recorder, one("llm_call", via(openai, messages="hi")))
    body = json.loads(cassette.read_text())
    assert body["format"] == "orch8-nb-cassette" and len(body["entries"]) == 1
    assert body["entries"][0]["request"]["messages"] == [{"role": "user", "content": "hi"}]
    openai.close()

    player = make_engine(f"sqlite:///{tmp_path / 'b.db'}", autostart=False)
    player.llm.use_cassette(cassette, mode="strict")
    params = via(openai, messages="hi", base_url="http://127.0.0.1:9/v1")  # another server
    inst = run(player, one("llm_call", params))
    assert output(player, inst, "ask")["message"]["content"] == "from the file"


def test_rerunning_or_forking_does_not_pay_for_the_answer_twice(
    engine: Engine, openai: FakeLLMServer
) -> None:
    openai.reply(content="paid once")
    seq = o8.sequence("twice", o8.step("ask", "llm_call", params=via(openai, messages="hi")),
                      o8.step("after", "noop"))  # fmt: skip
    first = run(engine, seq)
    second = run(engine, seq)  # the notebook cell runs again
    fork = first.fork("ask")
    engine.run_until_idle()
    assert [i.state for i in (first, second, fork)] == ["completed"] * 3
    assert len(openai.requests) == 1
    assert [output(engine, i, "ask")["cached"] for i in (first, second, fork)] == [
        False, True, True]  # fmt: skip


def test_a_recording_replays_without_an_api_key(
    engine: Engine, openai: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    openai.reply(content="recorded elsewhere")
    run(engine, one("llm_call", via(openai, messages="hi")))
    engine.llm.mode = "strict"
    hosted = {"provider": "openai", "model": "gpt-4o-mini", "messages": "hi"}  # no key, no URL
    inst = run(engine, one("llm_call", hosted))
    assert output(engine, inst, "ask")["message"]["content"] == "recorded elsewhere"
    engine.llm.mode = "live"
    failed = run(engine, one("llm_call", hosted))
    error = audit_of(engine, failed, "step_attempt")[-1]["error"]
    assert "set the environment variable OPENAI_API_KEY" in error["message"]
    assert error["retryable"] is False
