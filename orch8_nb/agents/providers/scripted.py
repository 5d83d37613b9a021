"""A provider that answers from a queue: for tests, teaching, and notebooks that must run
without a model or a network.

Each queued reply is a string (the assistant's text), a dict ``{"content"?,
"tool_calls"?: [{name, arguments, id?}], "usage"?: [in, out] | {...}, "finish_reason"?}``,
an exception instance (raised, e.g. ``ProviderError`` to test failover), or a callable
taking the :class:`ChatRequest` and returning any of those. Streaming sends the text in
word-sized pieces, like a real model (at ``engine.llm.replay_pace`` characters a second).
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from orch8_nb.agents.chat import ChatRequest, ChatResponse, Usage
from orch8_nb.agents.providers.base import OnDelta, ProviderConfig, ProviderError
from orch8_nb.engine.clock import real_delay

Reply = str | dict[str, Any] | BaseException | Callable[[ChatRequest], Any]

_PIECES = re.compile(r"\S+\s*|\s+")


class ScriptedProvider:
    def __init__(self, replies: Iterable[Reply] = (), *, name: str = "scripted") -> None:
        self.config = ProviderConfig(name=name, kind="scripted", base_url="scripted://" + name)
        self._replies: deque[Reply] = deque(replies)
        self._lock = threading.Lock()
        #: Every request this provider answered (or failed), in order.
        self.requests: list[ChatRequest] = []

    def add(self, *replies: Reply) -> ScriptedProvider:
        """Queue more replies (chainable)."""
        with self._lock:
            self._replies.extend(replies)
        return self

    @property
    def remaining(self) -> int:
        return len(self._replies)

    async def complete(
        self,
        request: ChatRequest,
        client: httpx.AsyncClient | None = None,
        on_delta: OnDelta | None = None,
        *,
        pace: float | None = None,
    ) -> ChatResponse:
        """The next reply; streamed in word-sized pieces when asked, at ``pace``
        characters per second (``None``: at once)."""
        with self._lock:
            self.requests.append(request)
            if not self._replies:
                raise ProviderError(
                    f"{self.config.name}: no scripted reply left (answered "
                    f"{len(self.requests) - 1}); queue more with engine.llm.script(...)",
                    retryable=False,
                    kind="config",
                )
            reply = self._replies.popleft()
        if callable(reply) and not isinstance(reply, BaseException):
            reply = reply(request)
        if isinstance(reply, BaseException):
            raise reply
        response = to_response(reply, request)
        if request.stream and on_delta is not None and response.content:
            for piece in _PIECES.findall(response.content):
                on_delta(piece)
                if pace:
                    await real_delay(len(piece) / pace)
        return response


def to_response(reply: Any, request: ChatRequest) -> ChatResponse:
    """A scripted reply as the answer a provider would give."""
    if isinstance(reply, str):
        reply = {"content": reply}
    if not isinstance(reply, dict):
        raise ProviderError(
            f"scripted reply must be a str or dict, got {type(reply).__name__}",
            retryable=False,
            kind="config",
        )
    content = reply.get("content")
    message: dict[str, Any] = {"role": "assistant", "content": content}
    calls = []
    for index, call in enumerate(reply.get("tool_calls") or ()):
        calls.append({
            "id": str(call.get("id") or f"call_{len(request.messages)}_{index}"),
            "name": str(call["name"]),
            "arguments": dict(call.get("arguments") or {}),
        })  # fmt: skip
    if calls:
        message["tool_calls"] = calls
    finish = reply.get("finish_reason") or ("tool_calls" if calls else "stop")
    return ChatResponse(
        message, str(finish), _usage(reply.get("usage"), request, content), request.model
    )


def _usage(value: Any, request: ChatRequest, content: Any) -> Usage:
    if isinstance(value, list | tuple) and len(value) == 2:
        return Usage(int(value[0]), int(value[1]))
    if isinstance(value, dict):
        return Usage(int(value.get("input_tokens", 0)), int(value.get("output_tokens", 0)))
    # Roughly four characters per token of everything sent (system prompt, messages, tool
    # schemas), so budgets and cost charts have something realistic to show.
    sent = json.dumps([request.system, request.messages, [t.to_json() for t in request.tools]])
    return Usage(max(1, len(sent) // 4), max(1, len(str(content or "")) // 4))
