"""Messages answers, whole and as the Messages SSE event stream."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orch8_nb.testing.fake_llm._reply import Reply, arguments_text, dumps, pieces


def anthropic_body(reply: Reply, model: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if reply.content:
        content.append({"type": "text", "text": reply.content})
    for call in reply.tool_calls:
        arguments = call.get("arguments", {})
        content.append(
            {"type": "tool_use", "id": call["id"], "name": call["name"], "input": arguments}
        )
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": _anthropic_reason(reply),
        "stop_sequence": None,
        "usage": {"input_tokens": reply.usage[0], "output_tokens": reply.usage[1]},
    }


def _anthropic_reason(reply: Reply) -> str:
    return reply.finish_reason or ("tool_use" if reply.tool_calls else "end_turn")


def anthropic_stream(reply: Reply, model: str, size: int) -> Iterator[str]:
    def event(name: str, body: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {dumps({'type': name, **body})}\n\n"

    start = anthropic_body(reply, model)
    start.update(content=[], stop_reason=None)
    start["usage"] = {"input_tokens": reply.usage[0], "output_tokens": 1}
    yield event("message_start", {"message": start})
    yield event("ping", {})
    index = 0
    if reply.content:
        yield event(
            "content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}}
        )
        for piece in pieces(reply.content, size):
            yield event(
                "content_block_delta",
                {"index": index, "delta": {"type": "text_delta", "text": piece}},
            )
        yield event("content_block_stop", {"index": index})
        index += 1
    for call in reply.tool_calls:
        block = {"type": "tool_use", "id": call["id"], "name": call["name"], "input": {}}
        yield event("content_block_start", {"index": index, "content_block": block})
        for piece in ["", *pieces(arguments_text(call), size)]:
            yield event(
                "content_block_delta",
                {"index": index, "delta": {"type": "input_json_delta", "partial_json": piece}},
            )
        yield event("content_block_stop", {"index": index})
        index += 1
    yield event(
        "message_delta",
        {
            "delta": {"stop_reason": _anthropic_reason(reply), "stop_sequence": None},
            "usage": {"output_tokens": reply.usage[1]},
        },
    )
    yield event("message_stop", {})
