"""The provider-neutral shape of one chat request and its answer.

Messages use OpenAI's roles (``system``, ``user``, ``assistant``, ``tool``); an assistant
message may carry ``tool_calls`` as ``[{id, name, arguments}]`` with ``arguments`` already
parsed into an object, and a ``tool`` message answers one of them by ``tool_call_id``.
Providers translate to and from their own wire format; everything above them (cassettes,
accounting, the agent loop, templates in sequences) only sees these shapes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

JSON = Any


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool the model may call: its name, what it does, and its arguments' JSON Schema."""

    name: str
    description: str = ""
    parameters: dict[str, JSON] = field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )

    def to_json(self) -> dict[str, JSON]:
        return {"name": self.name, "description": self.description, "parameters": self.parameters}


@dataclass(frozen=True, slots=True)
class ChatRequest:
    model: str
    messages: list[dict[str, JSON]]
    system: str | None = None
    temperature: float | None = None
    max_tokens: int = 4096
    tools: list[ToolSpec] = field(default_factory=list)
    #: ``"auto"``, ``"none"``, ``"required"`` or ``{"name": <tool>}``; ``None`` = provider default.
    tool_choice: JSON = None
    #: ``{"type": "json_object"}`` or ``{"type": "json_schema", "schema": {...}}``; ``None`` = text.
    response_format: dict[str, JSON] | None = None
    stream: bool = False

    def fingerprint(self) -> dict[str, JSON]:
        """What decides the answer (for cassette keys): everything but ``stream``."""
        return {
            "model": self.model,
            "system": self.system,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "tool_choice": self.tool_choice,
            "response_format": self.response_format,
            "messages_sha256": _sha256(self.messages),
            "tools_sha256": _sha256([t.to_json() for t in self.tools]),
        }


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def to_json(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.total_tokens,
        }


@dataclass(frozen=True, slots=True)
class ChatResponse:
    #: ``{"role": "assistant", "content": str | None, "tool_calls"?: [{id, name, arguments}]}``
    message: dict[str, JSON]
    #: ``stop``, ``tool_calls``, ``length`` or ``content_filter`` (Anthropic's reasons mapped).
    finish_reason: str
    usage: Usage = field(default_factory=Usage)
    #: The model the provider says answered (may be more specific than the one asked for).
    model: str = ""

    @property
    def content(self) -> str | None:
        value = self.message.get("content")
        return value if isinstance(value, str) else None

    @property
    def tool_calls(self) -> list[dict[str, JSON]]:
        calls = self.message.get("tool_calls")
        return list(calls) if isinstance(calls, list) else []

    def to_json(self) -> dict[str, JSON]:
        return {
            "message": self.message,
            "finish_reason": self.finish_reason,
            "usage": self.usage.to_json(),
            "model": self.model,
        }

    @classmethod
    def from_json(cls, data: dict[str, JSON]) -> ChatResponse:
        usage = data.get("usage") or {}
        return cls(
            message=dict(data["message"]),
            finish_reason=str(data.get("finish_reason") or "stop"),
            usage=Usage(int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))),
            model=str(data.get("model") or ""),
        )


def _sha256(value: JSON) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
