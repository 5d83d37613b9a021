"""The scripted reply, each protocol's route and error body, and the helpers both
protocols' encoders share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

PATHS = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages"}


@dataclass
class Reply:
    """One scripted answer. ``finish_reason`` is in the protocol's own words (``stop``,
    ``tool_calls``... or ``end_turn``, ``tool_use``...); None picks the natural one."""

    content: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    usage: tuple[int, int] = (10, 5)
    finish_reason: str | None = None
    status: int = 200
    headers: dict[str, str] | None = None
    delay_s: float = 0.0
    #: Sent verbatim instead of a generated body (as JSON, or as the SSE stream if streaming).
    raw_body: str | bytes | None = None
    model: str | None = None


def error_body(protocol: str, status: int, message: str) -> dict[str, Any]:
    if protocol == "anthropic":
        kinds = {
            400: "invalid_request_error",
            401: "authentication_error",
            404: "not_found_error",
            429: "rate_limit_error",
            529: "overloaded_error",
        }
        return {
            "type": "error",
            "error": {"type": kinds.get(status, "api_error"), "message": message},
        }
    return {"error": {"message": message, "type": "fake_error", "param": None, "code": str(status)}}


def pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def arguments_text(call: dict[str, Any]) -> str:
    arguments = call.get("arguments", {})
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def dumps(value: Any) -> str:
    # Unescaped non-ASCII, as real servers send it: parsers must cope with U+2028 and co.
    return json.dumps(value, ensure_ascii=False)
