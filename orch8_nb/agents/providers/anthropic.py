"""Anthropic's Messages API, translated to and from the OpenAI-shaped chat types.

The two differ where it matters for agents: the system prompt is a field, tool calls and
their results are content blocks, and several tool results travel in one user message.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from orch8_nb.agents.chat import ChatRequest, ChatResponse, ToolSpec, Usage
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

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"

_STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "content_filter",
}

_TOOL_CHOICES = {"auto": {"type": "auto"}, "required": {"type": "any"}, "none": {"type": "none"}}

#: Stream ``error`` types that say "the service, not the request": worth another try.
_RETRYABLE_ERRORS = frozenset(
    {"overloaded_error", "api_error", "rate_limit_error", "timeout_error"}
)


class AnthropicProvider:
    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    async def complete(
        self,
        request: ChatRequest,
        client: httpx.AsyncClient,
        on_delta: OnDelta | None = None,
    ) -> ChatResponse:
        url = messages_url(self.config.base_url)
        headers = {"content-type": "application/json", "anthropic-version": API_VERSION}
        if self.config.api_key:
            headers["x-api-key"] = self.config.api_key
        body = build_body(request)
        if not request.stream:
            data = await post_json(self.config, client, url, headers, body)
            return parse_message(self.config, url, data)
        stream = _Stream(self.config, url, on_delta)
        await post_sse(self.config, client, url, headers, body, stream.on_event)
        return stream.response()


def messages_url(base_url: str) -> str:
    base = base_url.rstrip("/") or DEFAULT_BASE_URL
    # Accept a base_url written OpenAI-style, with the version already in it.
    return endpoint(base, "/messages" if base.endswith("/v1") else "/v1/messages")


def build_body(request: ChatRequest) -> dict[str, Any]:
    system_parts, messages = _translate(request.messages)
    if request.system:
        system_parts.insert(0, request.system)
    instruction = _json_instruction(request.response_format)
    if instruction:
        system_parts.append(instruction)
    body: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "messages": messages,
    }
    if system_parts:
        body["system"] = "\n\n".join(system_parts)
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.tools:
        body["tools"] = [_tool_spec(tool) for tool in request.tools]
        # Sent only with tools: the API rejects a tool_choice that has nothing to choose.
        choice = _tool_choice(request.tool_choice)
        if choice is not None:
            body["tool_choice"] = choice
    if request.stream:
        body["stream"] = True
    return body


def _translate(source: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """System texts (the API takes them as one field) and the wire messages."""
    system_parts: list[str] = []
    messages: list[dict[str, Any]] = []
    for message in source:
        role = message.get("role")
        if role == "system":
            text = _text_of(message.get("content"))
            if text:
                system_parts.append(text)
        elif role == "tool":
            block = {
                "type": "tool_result",
                "tool_use_id": message.get("tool_call_id"),
                "content": _as_text(message.get("content")),
            }
            last = messages[-1] if messages else None
            if last is not None and last["role"] == "user" and _all_tool_results(last):
                last["content"].append(block)
            else:
                messages.append({"role": "user", "content": [block]})
        elif role == "assistant":
            wire = _assistant(message)
            if wire is not None:
                messages.append(wire)
        else:
            messages.append({"role": "user", "content": message.get("content") or ""})
    return system_parts, messages


def _tool_spec(tool: ToolSpec) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": tool.name, "input_schema": tool.parameters}
    if tool.description:
        spec["description"] = tool.description
    return spec


def _all_tool_results(message: dict[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, list) and all(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in content
    )


def _assistant(message: dict[str, Any]) -> dict[str, Any] | None:
    content = message.get("content")
    calls = message.get("tool_calls") or []
    if not calls:
        if content is None or content == "":
            return None  # the API refuses empty turns; an empty one says nothing anyway
        return {"role": "assistant", "content": content}
    blocks: list[dict[str, Any]] = []
    text = _text_of(content)
    if text:
        blocks.append({"type": "text", "text": text})
    for call in calls:
        blocks.append(
            {
                "type": "tool_use",
                "id": call.get("id"),
                "name": call.get("name"),
                "input": parse_arguments(call.get("arguments")),
            }
        )
    return {"role": "assistant", "content": blocks}


def _text_of(content: Any) -> str:
    """Plain text of a string or a list of ``{"type": "text"}`` blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(b.get("text", ""))
            for b in content
            if isinstance(b, dict) and b.get("type") == "text"
        )
    return ""


def _as_text(content: Any) -> str:
    return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)


def _tool_choice(choice: Any) -> dict[str, Any] | None:
    if isinstance(choice, dict) and "name" in choice:
        return {"type": "tool", "name": choice["name"]}
    if isinstance(choice, str):
        return _TOOL_CHOICES.get(choice)
    return None


def _json_instruction(fmt: dict[str, Any] | None) -> str:
    """Anthropic has no JSON mode, so the system prompt asks for it instead."""
    if not fmt or fmt.get("type") not in ("json_object", "json_schema"):
        return ""
    text = (
        "Answer with exactly one JSON object and nothing else: no prose before or after it, "
        "no Markdown code fences."
    )
    schema = fmt.get("schema")
    if fmt.get("type") == "json_schema" and schema:
        text += " The object must conform to this JSON Schema:\n" + json.dumps(
            schema, ensure_ascii=False, sort_keys=True
        )
    return text


def parse_message(config: ProviderConfig, url: str, data: dict[str, Any]) -> ChatResponse:
    content = data.get("content")
    if not isinstance(content, list):
        raise protocol_error(config, url, "the answer has no content list")
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            texts.append(str(block.get("text") or ""))
        elif block.get("type") == "tool_use":
            calls.append(
                {
                    "id": str(block.get("id") or f"toolu_{len(calls)}"),
                    "name": str(block.get("name") or ""),
                    "arguments": parse_arguments(block.get("input")),
                }
            )
    usage = data.get("usage")
    if not isinstance(usage, dict):
        usage = {}
    return assistant_answer(
        "".join(texts) if texts else None,
        calls,
        data.get("stop_reason"),
        Usage(as_int(usage.get("input_tokens")), as_int(usage.get("output_tokens"))),
        data.get("model"),
        reasons=_STOP_REASONS,
    )


class _Stream:
    """Folds Messages streaming events into one answer as they arrive."""

    def __init__(self, config: ProviderConfig, url: str, on_delta: OnDelta | None) -> None:
        self.config = config
        self.url = url
        self.on_delta = on_delta
        self.blocks: dict[int, dict[str, Any]] = {}
        self.stop_reason: str | None = None
        self.input_tokens = 0
        self.output_tokens = 0
        self.model = ""
        self.stopped = False

    def on_event(self, event: str | None, data: str) -> bool:
        payload = decode_json(self.config, self.url, data)
        if not isinstance(payload, dict):
            raise protocol_error(self.config, self.url, f"event is not an object: {data[:200]!r}")
        kind = payload.get("type") or event
        if kind == "message_start":
            message = payload.get("message") or {}
            self.model = str(message.get("model") or "")
            self._usage(message.get("usage"))
        elif kind == "content_block_start":
            block = payload.get("content_block") or {}
            self.blocks[as_int(payload.get("index"))] = {
                "type": block.get("type"),
                "text": str(block.get("text") or ""),
                "id": str(block.get("id") or ""),
                "name": str(block.get("name") or ""),
                "input": block.get("input"),
                "json": "",
            }
        elif kind == "content_block_delta":
            self._delta(as_int(payload.get("index")), payload.get("delta") or {})
        elif kind == "message_delta":
            delta = payload.get("delta") or {}
            if delta.get("stop_reason"):
                self.stop_reason = str(delta["stop_reason"])
            self._usage(payload.get("usage"))
        elif kind == "message_stop":
            self.stopped = True
            return True
        elif kind == "error":
            raise self._error(payload.get("error"))
        # ping, content_block_stop and event types added later need nothing.
        return False

    def _usage(self, usage: Any) -> None:
        if not isinstance(usage, dict):
            return
        if "input_tokens" in usage:
            self.input_tokens = as_int(usage["input_tokens"])
        if "output_tokens" in usage:
            self.output_tokens = as_int(usage["output_tokens"])  # cumulative, not a delta

    def _delta(self, index: int, delta: dict[str, Any]) -> None:
        block = self.blocks.get(index)
        if block is None:
            raise protocol_error(self.config, self.url, f"delta for unknown block {index}")
        if delta.get("type") == "text_delta":
            piece = str(delta.get("text") or "")
            block["text"] += piece
            if piece and self.on_delta is not None:
                self.on_delta(piece)
        elif delta.get("type") == "input_json_delta":
            block["json"] += str(delta.get("partial_json") or "")

    def _error(self, error: Any) -> ProviderError:
        kind = str(error.get("type") or "") if isinstance(error, dict) else ""
        detail = error.get("message") if isinstance(error, dict) else error
        return ProviderError(
            f"{self.config.name}: {kind or 'error'} in the stream from {self.url}: {detail}",
            retryable=kind in _RETRYABLE_ERRORS,
            status=529 if kind == "overloaded_error" else None,
            kind="http",
        )

    def response(self) -> ChatResponse:
        if not self.stopped and self.stop_reason is None:
            raise protocol_error(self.config, self.url, "the stream ended before the answer did")
        texts: list[str] = []
        calls: list[dict[str, Any]] = []
        for _, block in sorted(self.blocks.items()):
            if block["type"] == "text":
                texts.append(block["text"])
            elif block["type"] == "tool_use":
                calls.append(
                    {
                        "id": block["id"] or f"toolu_{len(calls)}",
                        "name": block["name"],
                        "arguments": parse_arguments(
                            block["json"] if block["json"].strip() else block["input"]
                        ),
                    }
                )
        return assistant_answer(
            "".join(texts) if texts else None,
            calls,
            self.stop_reason,
            Usage(self.input_tokens, self.output_tokens),
            self.model,
            reasons=_STOP_REASONS,
        )
