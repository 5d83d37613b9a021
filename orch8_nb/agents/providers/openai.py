"""The OpenAI Chat Completions protocol, which Ollama, vLLM, LM Studio and most gateways
also speak: one provider class serves all of them through ``base_url``."""

from __future__ import annotations

import json
from typing import Any

import httpx

from orch8_nb.agents.chat import ChatRequest, ChatResponse, Usage
from orch8_nb.agents.providers._http import (
    as_int,
    assistant_answer,
    decode_json,
    endpoint,
    parse_arguments,
    post_json,
    post_sse,
    protocol_error,
)
from orch8_nb.agents.providers.base import OnDelta, ProviderConfig, ProviderError

_FINISH_REASONS = {
    "stop": "stop",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "length": "length",
    "content_filter": "content_filter",
}


class OpenAIProvider:
    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    async def complete(
        self,
        request: ChatRequest,
        client: httpx.AsyncClient,
        on_delta: OnDelta | None = None,
    ) -> ChatResponse:
        url = endpoint(self.config.base_url, "/chat/completions")
        headers = {"content-type": "application/json"}
        if self.config.api_key:
            headers["authorization"] = f"Bearer {self.config.api_key}"
        body = build_body(request)
        if not request.stream:
            data = await post_json(self.config, client, url, headers, body)
            return parse_completion(self.config, url, data)
        stream = _Stream(self.config, url, on_delta)
        await post_sse(self.config, client, url, headers, body, stream.on_event)
        return stream.response()


def build_body(request: ChatRequest) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    if request.system:
        messages.append({"role": "system", "content": request.system})
    messages.extend(_wire_message(m) for m in request.messages)
    body: dict[str, Any] = {
        "model": request.model,
        "messages": messages,
        "max_tokens": request.max_tokens,
    }
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.tools:
        body["tools"] = [{"type": "function", "function": t.to_json()} for t in request.tools]
        # Sent only with tools: the API rejects a tool_choice that has nothing to choose.
        if request.tool_choice is not None:
            body["tool_choice"] = _tool_choice(request.tool_choice)
    if request.response_format is not None:
        body["response_format"] = _response_format(request.response_format)
    if request.stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def _wire_message(message: dict[str, Any]) -> dict[str, Any]:
    role = message.get("role")
    if role == "tool":
        content = message.get("content")
        return {
            "role": "tool",
            "tool_call_id": message.get("tool_call_id"),
            "content": content if isinstance(content, str) else _dumps(content),
        }
    wire = {k: v for k, v in message.items() if k != "tool_calls"}
    calls = message.get("tool_calls")
    if role == "assistant" and calls:
        wire.setdefault("content", None)
        wire["tool_calls"] = [
            {
                "id": call.get("id"),
                "type": "function",
                "function": {
                    "name": call.get("name"),
                    "arguments": _arguments_text(call.get("arguments")),
                },
            }
            for call in calls
        ]
    return wire


def _arguments_text(arguments: Any) -> str:
    if isinstance(arguments, str):
        return arguments
    return _dumps({} if arguments is None else arguments)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _tool_choice(choice: Any) -> Any:
    if isinstance(choice, dict) and "name" in choice:
        return {"type": "function", "function": {"name": choice["name"]}}
    return choice


def _response_format(fmt: dict[str, Any]) -> dict[str, Any]:
    if fmt.get("type") == "json_schema":
        schema = fmt.get("schema") or {"type": "object"}
        return {"type": "json_schema", "json_schema": {"name": "response", "schema": schema}}
    return fmt


def parse_completion(config: ProviderConfig, url: str, data: dict[str, Any]) -> ChatResponse:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise protocol_error(config, url, "no choices in the answer")
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, dict):
        raise protocol_error(config, url, "the first choice has no message")
    content = message.get("content")
    calls: list[dict[str, Any]] = []
    for index, call in enumerate(message.get("tool_calls") or []):
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict):
            raise protocol_error(config, url, f"tool call {index} has no function")
        calls.append(
            {
                "id": str(call.get("id") or f"call_{index}"),
                "name": str(function.get("name") or ""),
                "arguments": parse_arguments(function.get("arguments")),
            }
        )
    usage = data.get("usage")
    if not isinstance(usage, dict):
        usage = {}
    return assistant_answer(
        content if isinstance(content, str) else None,
        calls,
        choice.get("finish_reason"),
        Usage(as_int(usage.get("prompt_tokens")), as_int(usage.get("completion_tokens"))),
        data.get("model"),
        reasons=_FINISH_REASONS,
    )


class _Stream:
    """Folds ``chat.completion.chunk`` events into one answer as they arrive."""

    def __init__(self, config: ProviderConfig, url: str, on_delta: OnDelta | None) -> None:
        self.config = config
        self.url = url
        self.on_delta = on_delta
        self.text: list[str] = []
        self.calls: dict[int, dict[str, Any]] = {}
        self.finish_reason: str | None = None
        self.usage = Usage()
        self.model = ""
        self.done = False

    def on_event(self, _event: str | None, data: str) -> bool:
        if data.strip() == "[DONE]":
            self.done = True
            return True
        chunk = decode_json(self.config, self.url, data)
        if not isinstance(chunk, dict):
            raise protocol_error(self.config, self.url, f"chunk is not an object: {data[:200]!r}")
        error = chunk.get("error")
        if error:
            # Gateways and vLLM report failures met after the 200 inside the stream.
            detail = error.get("message") if isinstance(error, dict) else error
            raise ProviderError(
                f"{self.config.name}: error in the stream from {self.url}: {detail}",
                retryable=True,
                kind="http",
            )
        if isinstance(chunk.get("model"), str) and chunk["model"]:
            self.model = chunk["model"]
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self.usage = Usage(
                as_int(usage.get("prompt_tokens")), as_int(usage.get("completion_tokens"))
            )
        piece = ""
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            if choice.get("finish_reason"):
                self.finish_reason = str(choice["finish_reason"])
            delta = choice.get("delta")
            if isinstance(delta, dict):
                piece += self._delta(delta)
        if piece:
            self.text.append(piece)
            if self.on_delta is not None:
                self.on_delta(piece)
        return False

    def _delta(self, delta: dict[str, Any]) -> str:
        for fragment in delta.get("tool_calls") or []:
            if not isinstance(fragment, dict):
                continue
            call = self.calls.setdefault(
                self._index(fragment), {"id": "", "name": "", "arguments": ""}
            )
            if fragment.get("id"):
                call["id"] = str(fragment["id"])
            function = fragment.get("function")
            if isinstance(function, dict):
                if function.get("name") and not call["name"]:
                    call["name"] = str(function["name"])
                arguments = function.get("arguments")
                if isinstance(arguments, str):
                    call["arguments"] += arguments
                elif isinstance(arguments, dict):
                    call["arguments"] += _dumps(arguments)
        content = delta.get("content")
        return content if isinstance(content, str) else ""

    def _index(self, fragment: dict[str, Any]) -> int:
        """The call a fragment belongs to; servers that leave out ``index`` send each call
        whole, so a fresh id starts a new one."""
        if isinstance(fragment.get("index"), int):
            return int(fragment["index"])
        known = {call["id"] for call in self.calls.values()}
        if not self.calls or (fragment.get("id") and fragment["id"] not in known):
            return max(self.calls, default=-1) + 1
        return max(self.calls)

    def response(self) -> ChatResponse:
        if not self.done and self.finish_reason is None:
            raise protocol_error(self.config, self.url, "the stream ended before the answer did")
        calls = [
            {
                "id": call["id"] or f"call_{index}",
                "name": call["name"],
                "arguments": parse_arguments(call["arguments"]),
            }
            for index, call in sorted(self.calls.items())
        ]
        content = "".join(self.text) if self.text else None
        return assistant_answer(
            content, calls, self.finish_reason, self.usage, self.model, reasons=_FINISH_REASONS
        )
