"""The OpenAI and Anthropic providers against fake servers, over real loopback HTTP."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import httpx
import pytest

from orch8_nb.agents.chat import ChatRequest, ChatResponse, ToolSpec
from orch8_nb.agents.providers._http import _EventReader
from orch8_nb.agents.providers.anthropic import AnthropicProvider
from orch8_nb.agents.providers.base import OnDelta, Provider, ProviderConfig, ProviderError
from orch8_nb.agents.providers.openai import OpenAIProvider
from orch8_nb.testing import FakeLLMServer

PROTOCOLS = ["openai", "anthropic"]

WEATHER = ToolSpec(
    "get_weather",
    "Current weather in a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def provider_for(
    protocol: str, base_url: str, *, api_key: str | None = "sk-test", timeout_s: float = 10.0
) -> Provider:
    config = ProviderConfig(
        name=f"my-{protocol}",
        kind=protocol,
        base_url=base_url,
        api_key=api_key,
        timeout_s=timeout_s,
    )
    return OpenAIProvider(config) if protocol == "openai" else AnthropicProvider(config)


def complete(
    provider: Provider, request: ChatRequest, on_delta: OnDelta | None = None
) -> ChatResponse:
    async def main() -> ChatResponse:
        async with httpx.AsyncClient() as client:
            return await provider.complete(request, client, on_delta)

    return asyncio.run(main())


def failure(provider: Provider, request: ChatRequest) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        complete(provider, request)
    return caught.value


def ask(text: str = "Hi", **options: Any) -> ChatRequest:
    return ChatRequest(model="model-x", messages=[{"role": "user", "content": text}], **options)


# -- answers -------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("stream", [False, True])
def test_plain_answer(protocol: str, stream: bool) -> None:
    with FakeLLMServer(protocol) as server:
        server.reply(content="Hello there, world!", usage=(12, 3), model="model-x-2025")
        response = complete(provider_for(protocol, server.url), ask(stream=stream))
    assert response.message == {"role": "assistant", "content": "Hello there, world!"}
    assert response.content == "Hello there, world!"
    assert response.tool_calls == []
    assert response.finish_reason == "stop"
    assert (response.usage.input_tokens, response.usage.output_tokens) == (12, 3)
    assert response.model == "model-x-2025"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_streaming_hands_over_each_piece_as_it_arrives(protocol: str) -> None:
    text = "The quick brown fox jumps over the lazy dog."
    pieces: list[str] = []
    with FakeLLMServer(protocol) as server:
        server.reply(content=text, usage=(20, 11))
        response = complete(provider_for(protocol, server.url), ask(stream=True), pieces.append)
        sent = server.last["json"]
    assert len(pieces) > 3
    assert "".join(pieces) == text == response.content
    assert response.usage.total_tokens == 31
    assert sent["stream"] is True
    if protocol == "openai":
        assert sent["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_streamed_text_may_hold_unicode_line_separators(protocol: str) -> None:
    text = "one\u2028two\u2029three\x85four \u2013 ünïcödé"
    pieces: list[str] = []
    with FakeLLMServer(protocol) as server:
        server.reply(content=text)
        response = complete(provider_for(protocol, server.url), ask(stream=True), pieces.append)
    assert response.content == text == "".join(pieces)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_no_api_key_sends_no_credentials(protocol: str) -> None:
    with FakeLLMServer(protocol) as server:
        server.reply(content="ok")
        complete(provider_for(protocol, server.url + "/", api_key=None), ask())
        headers = server.last["headers"]
    assert "authorization" not in headers
    assert "x-api-key" not in headers


# -- requests on the wire ------------------------------------------------------------------

HISTORY: list[dict[str, Any]] = [
    {"role": "user", "content": "Weather in Paris and Oslo?"},
    {
        "role": "assistant",
        "content": "Checking both.",
        "tool_calls": [
            {"id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}},
            {"id": "call_2", "name": "get_weather", "arguments": {"city": "Oslo"}},
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": "18C, sunny"},
    {"role": "tool", "tool_call_id": "call_2", "content": {"temp_c": -3, "sky": "snow"}},
]


def test_openai_request_translation() -> None:
    request = ChatRequest(
        model="gpt-x",
        system="You are terse.",
        messages=HISTORY,
        temperature=0.2,
        max_tokens=256,
        tools=[WEATHER],
        tool_choice="auto",
    )
    with FakeLLMServer("openai") as server:
        server.reply(content="Paris 18C, Oslo -3C.")
        complete(provider_for("openai", server.url), request)
        seen = server.last
    assert seen["path"] == "/v1/chat/completions"
    assert seen["headers"]["authorization"] == "Bearer sk-test"
    assert seen["json"] == {
        "model": "gpt-x",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Weather in Paris and Oslo?"},
            {
                "role": "assistant",
                "content": "Checking both.",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    },
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "18C, sunny"},
            {"role": "tool", "tool_call_id": "call_2", "content": '{"temp_c": -3, "sky": "snow"}'},
        ],
        "max_tokens": 256,
        "temperature": 0.2,
        "tools": [{"type": "function", "function": WEATHER.to_json()}],
        "tool_choice": "auto",
    }


def test_anthropic_request_translation() -> None:
    request = ChatRequest(
        model="claude-x",
        system="You are terse.",
        messages=[{"role": "system", "content": "Use metric units."}, *HISTORY],
        temperature=0.0,
        max_tokens=256,
        tools=[WEATHER],
    )
    with FakeLLMServer("anthropic") as server:
        server.reply(content="Paris 18C, Oslo -3C.")
        complete(provider_for("anthropic", server.url), request)
        seen = server.last
    assert seen["path"] == "/v1/messages"
    assert seen["headers"]["x-api-key"] == "sk-test"
    assert seen["headers"]["anthropic-version"] == "2023-06-01"
    assert "authorization" not in seen["headers"]
    assert seen["json"] == {
        "model": "claude-x",
        "max_tokens": 256,
        "system": "You are terse.\n\nUse metric units.",
        "temperature": 0.0,
        "messages": [
            {"role": "user", "content": "Weather in Paris and Oslo?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "Checking both."},
                    {
                        "type": "tool_use",
                        "id": "call_1",
                        "name": "get_weather",
                        "input": {"city": "Paris"},
                    },
                    {
                        "type": "tool_use",
                        "id": "call_2",
                        "name": "get_weather",
                        "input": {"city": "Oslo"},
                    },
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "call_1", "content": "18C, sunny"},
                    {
                        "type": "tool_result",
                        "tool_use_id": "call_2",
                        "content": '{"temp_c": -3, "sky": "snow"}',
                    },
                ],
            },
        ],
        "tools": [
            {
                "name": "get_weather",
                "description": "Current weather in a city.",
                "input_schema": WEATHER.parameters,
            }
        ],
    }


def test_anthropic_tool_only_turn_and_tool_results_split_by_a_user_turn() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "Go"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "t1", "name": "get_weather", "arguments": {}}],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "done"},
        {"role": "user", "content": "And now?"},
        {"role": "tool", "tool_call_id": "t2", "content": "late"},
    ]
    with FakeLLMServer("anthropic") as server:
        server.reply(content="ok")
        complete(
            provider_for("anthropic", server.url),
            ChatRequest(model="m", messages=messages, tools=[WEATHER]),
        )
        sent = server.last["json"]["messages"]
    assert sent[1] == {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "t1", "name": "get_weather", "input": {}}],
    }
    assert [m["role"] for m in sent] == ["user", "assistant", "user", "user", "user"]
    assert sent[2]["content"] == [{"type": "tool_result", "tool_use_id": "t1", "content": "done"}]
    assert sent[3] == {"role": "user", "content": "And now?"}
    assert "system" not in server.last["json"]
    assert "temperature" not in server.last["json"]


@pytest.mark.parametrize(
    ("protocol", "choice", "wire"),
    [
        ("openai", "auto", "auto"),
        ("openai", "none", "none"),
        ("openai", "required", "required"),
        (
            "openai",
            {"name": "get_weather"},
            {"type": "function", "function": {"name": "get_weather"}},
        ),
        ("anthropic", "auto", {"type": "auto"}),
        ("anthropic", "none", {"type": "none"}),
        ("anthropic", "required", {"type": "any"}),
        ("anthropic", {"name": "get_weather"}, {"type": "tool", "name": "get_weather"}),
    ],
)
def test_tool_choice(protocol: str, choice: Any, wire: Any) -> None:
    with FakeLLMServer(protocol) as server:
        server.reply(content="ok")
        server.reply(content="ok")
        provider = provider_for(protocol, server.url)
        complete(provider, ask(tools=[WEATHER], tool_choice=choice))
        complete(provider, ask(tools=[WEATHER]))
        with_choice, without = (r["json"] for r in server.requests)
    assert with_choice["tool_choice"] == wire
    assert "tool_choice" not in without


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_no_tools_sends_no_tool_fields(protocol: str) -> None:
    with FakeLLMServer(protocol) as server:
        server.reply(content="ok")
        complete(provider_for(protocol, server.url), ask(tool_choice="auto"))
        sent = server.last["json"]
    assert "tools" not in sent
    assert "tool_choice" not in sent


SCHEMA = {"type": "object", "properties": {"answer": {"type": "integer"}}}


@pytest.mark.parametrize(
    ("fmt", "wire"),
    [
        ({"type": "json_object"}, {"type": "json_object"}),
        (
            {"type": "json_schema", "schema": SCHEMA},
            {"type": "json_schema", "json_schema": {"name": "response", "schema": SCHEMA}},
        ),
    ],
)
def test_openai_response_format(fmt: dict[str, Any], wire: dict[str, Any]) -> None:
    with FakeLLMServer("openai") as server:
        server.reply(content='{"answer": 42}')
        response = complete(provider_for("openai", server.url), ask(response_format=fmt))
        sent = server.last["json"]
    assert sent["response_format"] == wire
    assert json.loads(response.content or "") == {"answer": 42}


def test_anthropic_asks_for_json_in_the_system_prompt() -> None:
    with FakeLLMServer("anthropic") as server:
        server.reply(content='{"answer": 42}')
        server.reply(content='{"answer": 42}')
        provider = provider_for("anthropic", server.url)
        complete(provider, ask(system="Be exact.", response_format={"type": "json_object"}))
        complete(provider, ask(response_format={"type": "json_schema", "schema": SCHEMA}))
        plain, schema = (r["json"] for r in server.requests)
    assert "response_format" not in plain
    assert plain["system"].startswith("Be exact.\n\n")
    assert "one JSON object" in plain["system"]
    assert "Schema" not in plain["system"]
    assert "one JSON object" in schema["system"]
    assert json.dumps(SCHEMA, sort_keys=True) in schema["system"]


# -- tool calls in answers -----------------------------------------------------------------

CALLS = [
    {"id": "call_a", "name": "get_weather", "arguments": {"city": "Paris", "units": "metric"}},
    {"id": "call_b", "name": "get_time", "arguments": {"zone": "Europe/Oslo"}},
]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("stream", [False, True])
def test_tool_calls_in_the_answer(protocol: str, stream: bool) -> None:
    pieces: list[str] = []
    with FakeLLMServer(protocol) as server:
        server.reply(content="Let me check.", tool_calls=CALLS, usage=(40, 22))
        response = complete(
            provider_for(protocol, server.url), ask(tools=[WEATHER], stream=stream), pieces.append
        )
    assert response.finish_reason == "tool_calls"
    assert response.content == "Let me check."
    assert response.tool_calls == CALLS
    assert response.message["tool_calls"] == CALLS
    assert (response.usage.input_tokens, response.usage.output_tokens) == (40, 22)
    assert "".join(pieces) == ("Let me check." if stream else "")


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("stream", [False, True])
def test_tool_calls_without_text(protocol: str, stream: bool) -> None:
    with FakeLLMServer(protocol) as server:
        server.reply(tool_calls=CALLS[:1])
        response = complete(provider_for(protocol, server.url), ask(stream=stream))
    assert response.message == {"role": "assistant", "content": None, "tool_calls": CALLS[:1]}


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("arguments", ["not json {", "[1, 2]"])
def test_openai_arguments_that_are_not_an_object_are_kept_raw(stream: bool, arguments: str) -> None:
    with FakeLLMServer("openai") as server:
        server.reply(tool_calls=[{"id": "c", "name": "f", "arguments": arguments}])
        response = complete(provider_for("openai", server.url), ask(stream=stream))
    assert response.tool_calls == [{"id": "c", "name": "f", "arguments": {"_raw": arguments}}]


def test_anthropic_streamed_arguments_that_are_not_an_object_are_kept_raw() -> None:
    with FakeLLMServer("anthropic") as server:
        server.reply(tool_calls=[{"id": "t", "name": "f", "arguments": '{"city": "Pa'}])
        response = complete(provider_for("anthropic", server.url), ask(stream=True))
    assert response.tool_calls == [{"id": "t", "name": "f", "arguments": {"_raw": '{"city": "Pa'}}]


def test_openai_forced_tool_answered_with_stop_still_reads_as_tool_calls() -> None:
    with FakeLLMServer("openai") as server:
        server.reply(tool_calls=CALLS[:1], finish_reason="stop")
        response = complete(provider_for("openai", server.url), ask())
    assert response.finish_reason == "tool_calls"


@pytest.mark.parametrize(
    ("protocol", "wire", "ours"),
    [
        ("openai", "stop", "stop"),
        ("openai", "length", "length"),
        ("openai", "content_filter", "content_filter"),
        ("openai", "something_new", "stop"),
        ("anthropic", "end_turn", "stop"),
        ("anthropic", "stop_sequence", "stop"),
        ("anthropic", "max_tokens", "length"),
        ("anthropic", "refusal", "content_filter"),
        ("anthropic", "something_new", "stop"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_finish_reason(protocol: str, wire: str, ours: str, stream: bool) -> None:
    with FakeLLMServer(protocol) as server:
        server.reply(content="cut sho", finish_reason=wire)
        response = complete(provider_for(protocol, server.url), ask(stream=stream))
    assert response.finish_reason == ours


# -- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("stream", [False, True])
def test_rate_limited(protocol: str, stream: bool) -> None:
    with FakeLLMServer(protocol) as server:
        server.fail(429, "Rate limit reached, slow down", retry_after=7)
        error = failure(provider_for(protocol, server.url), ask(stream=stream))
    assert (error.retryable, error.status, error.retry_after_s, error.kind) == (
        True,
        429,
        7.0,
        "http",
    )
    assert f"my-{protocol}" in error.message
    assert server.url in error.message
    assert "HTTP 429" in error.message
    assert "Rate limit reached, slow down" in error.message


def test_openai_retry_after_ms_is_more_precise() -> None:
    with FakeLLMServer("openai") as server:
        server.reply(status=429, headers={"retry-after-ms": "1500", "retry-after": "2"})
        error = failure(provider_for("openai", server.url), ask())
    assert error.retry_after_s == 1.5


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("status", [500, 502, 503, 529, 408, 409])
def test_server_errors_are_retryable(protocol: str, status: int) -> None:
    with FakeLLMServer(protocol) as server:
        server.fail(status, "The server had an error")
        error = failure(provider_for(protocol, server.url), ask())
    assert (error.retryable, error.status, error.kind) == (True, status, "http")
    assert error.retry_after_s is None
    assert "The server had an error" in error.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("stream", [False, True])
def test_bad_request_is_not_retryable(protocol: str, stream: bool) -> None:
    with FakeLLMServer(protocol) as server:
        server.fail(400, "model: Invalid model name 'model-x'")
        error = failure(provider_for(protocol, server.url), ask(stream=stream))
    assert (error.retryable, error.status, error.kind) == (False, 400, "http")
    assert "HTTP 400" in error.message
    assert "Invalid model name 'model-x'" in error.message
    assert f"my-{protocol}" in error.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_error_body_that_is_not_json_is_quoted(protocol: str) -> None:
    body = "<html>" + "Unauthorized " * 40 + "</html>"
    with FakeLLMServer(protocol) as server:
        server.reply(status=401, raw_body=body)
        error = failure(provider_for(protocol, server.url), ask())
    assert (error.retryable, error.status) == (False, 401)
    assert body[:200] in error.message
    assert body[:201] not in error.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_nothing_scripted_answers_500(protocol: str) -> None:
    with FakeLLMServer(protocol) as server:
        error = failure(provider_for(protocol, server.url), ask())
    assert (error.retryable, error.status) == (True, 500)
    assert "no reply is scripted" in error.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("stream", [False, True])
def test_timeout(protocol: str, stream: bool) -> None:
    with FakeLLMServer(protocol) as server:
        server.reply(content="too late", delay_s=5)
        error = failure(provider_for(protocol, server.url, timeout_s=0.2), ask(stream=stream))
    assert (error.retryable, error.kind, error.status) == (True, "timeout", None)
    assert f"my-{protocol}" in error.message
    assert server.url in error.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_connection_refused(protocol: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}" + ("/v1" if protocol == "openai" else "")
    error = failure(provider_for(protocol, base_url), ask())
    assert (error.retryable, error.kind, error.status) == (True, "connection", None)
    assert f"my-{protocol}" in error.message
    assert f"127.0.0.1:{port}" in error.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("body", ["this is not json", "[1, 2, 3]", '{"unexpected": true}'])
def test_unparseable_answer(protocol: str, body: str) -> None:
    with FakeLLMServer(protocol) as server:
        server.reply(raw_body=body)
        error = failure(provider_for(protocol, server.url), ask())
    assert (error.retryable, error.kind) == (True, "protocol")
    assert f"my-{protocol}" in error.message
    assert server.url in error.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    "stream_body",
    [
        "data: {not json\n\n",
        "",  # nothing at all
        "event: message_start\ndata: [1]\n\n",
    ],
)
def test_unparseable_stream(protocol: str, stream_body: str) -> None:
    with FakeLLMServer(protocol) as server:
        server.reply(raw_body=stream_body)
        error = failure(provider_for(protocol, server.url), ask(stream=True))
    assert (error.retryable, error.kind) == (True, "protocol")


def test_openai_stream_cut_short() -> None:
    chunk = {"choices": [{"index": 0, "delta": {"content": "Hel"}, "finish_reason": None}]}
    with FakeLLMServer("openai") as server:
        server.reply(raw_body=f"data: {json.dumps(chunk)}\n\n")
        error = failure(provider_for("openai", server.url), ask(stream=True))
    assert error.kind == "protocol"
    assert "ended before" in error.message


def test_anthropic_stream_cut_short() -> None:
    start = {"type": "message_start", "message": {"model": "m", "usage": {"input_tokens": 3}}}
    with FakeLLMServer("anthropic") as server:
        server.reply(raw_body=f"event: message_start\ndata: {json.dumps(start)}\n\n")
        error = failure(provider_for("anthropic", server.url), ask(stream=True))
    assert error.kind == "protocol"


def test_openai_error_inside_the_stream() -> None:
    body = 'data: {"error": {"message": "upstream went away"}}\n\n'
    with FakeLLMServer("openai") as server:
        server.reply(raw_body=body)
        error = failure(provider_for("openai", server.url), ask(stream=True))
    assert error.retryable
    assert "upstream went away" in error.message


@pytest.mark.parametrize(
    ("kind", "retryable"), [("overloaded_error", True), ("invalid_request_error", False)]
)
def test_anthropic_error_event(kind: str, retryable: bool) -> None:
    error_event = {"type": "error", "error": {"type": kind, "message": "Overloaded"}}
    body = (
        'event: message_start\ndata: {"type": "message_start", "message": {"usage": {}}}\n\n'
        'event: ping\ndata: {"type": "ping"}\n\n'
        f"event: error\ndata: {json.dumps(error_event)}\n\n"
    )
    with FakeLLMServer("anthropic") as server:
        server.reply(raw_body=body)
        error = failure(provider_for("anthropic", server.url), ask(stream=True))
    assert error.retryable is retryable
    assert kind in error.message
    assert "Overloaded" in error.message


# -- wire details --------------------------------------------------------------------------


def test_openai_stream_with_crlf_lines_and_comments() -> None:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        body = {"model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return f"data: {json.dumps(body)}\r\n\r\n"

    body = (
        ": keep-alive\r\n\r\n"
        + chunk({"content": "Hi "})
        + chunk({"content": "you"})
        + chunk({}, "stop")
        + 'data: {"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2}}\r\n\r\n'
        + "data: [DONE]\r\n\r\n"
    )
    with FakeLLMServer("openai") as server:
        server.reply(raw_body=body)
        response = complete(provider_for("openai", server.url), ask(stream=True))
    assert response.content == "Hi you"
    assert response.usage.total_tokens == 6


def test_openai_streamed_tool_calls_without_index() -> None:
    """Some OpenAI-compatible servers send each call whole and leave ``index`` out."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        body = {"model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return f"data: {json.dumps(body)}\n\n"

    def call(id_: str, city: str) -> dict[str, Any]:
        arguments = json.dumps({"city": city})
        return {"id": id_, "function": {"name": "get_weather", "arguments": arguments}}

    body = (
        chunk({"tool_calls": [call("a", "Paris")]})
        + chunk({"tool_calls": [call("b", "Oslo")]})
        + chunk({}, "tool_calls")
        + "data: [DONE]\n\n"
    )
    with FakeLLMServer("openai") as server:
        server.reply(raw_body=body)
        response = complete(provider_for("openai", server.url), ask(stream=True))
    assert response.tool_calls == [
        {"id": "a", "name": "get_weather", "arguments": {"city": "Paris"}},
        {"id": "b", "name": "get_weather", "arguments": {"city": "Oslo"}},
    ]


def test_anthropic_base_url_may_carry_the_version() -> None:
    with FakeLLMServer("anthropic") as server:
        server.reply(content="ok")
        complete(provider_for("anthropic", server.url + "/v1/"), ask())
        assert server.last["path"] == "/v1/messages"


def test_event_reader_copes_with_any_cut() -> None:
    stream = (
        'event: a\r\ndata: {"x": 1}\r\n\r\n'
        ": comment\n\n"
        "data: line one\ndata: line two\n\n"
        "event: b\rdata:no-space\r\r"
        "data: last, unterminated"
    )
    expected = [
        ("a", '{"x": 1}'),
        (None, "line one\nline two"),
        ("b", "no-space"),
        (None, "last, unterminated"),
    ]
    whole = _EventReader()
    assert [*whole.feed(stream), *whole.close()] == expected
    for size in (1, 2, 3, 7):
        reader = _EventReader()
        events = []
        for start in range(0, len(stream), size):
            events.extend(reader.feed(stream[start : start + size]))
        events.extend(reader.close())
        assert events == expected, size


def test_fake_server_records_requests_and_counts_replies() -> None:
    with FakeLLMServer("openai") as server:
        server.reply(content="one").reply(content="two")
        assert server.pending == 2
        provider = provider_for("openai", server.url)
        assert complete(provider, ask("first")).content == "one"
        assert server.pending == 1
        assert server.last["json"]["messages"] == [{"role": "user", "content": "first"}]
    assert server.errors == []
