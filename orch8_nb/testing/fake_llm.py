"""A scripted LLM server on loopback, speaking OpenAI's or Anthropic's wire format.

Tests drive real providers over real HTTP against it: they queue the replies the "model"
gives (``reply``/``fail``), run the code under test with ``url`` as the base_url, then
read ``requests`` to see what was sent. Streaming requests get a genuine chunked SSE
stream, cut into several pieces, so incremental parsing is exercised too.

    with FakeLLMServer("anthropic") as server:
        server.reply(content="Hello!", usage=(12, 3))
        ...ProviderConfig(name="anthropic", kind="anthropic", base_url=server.url)...
        assert server.requests[0]["json"]["model"] == "claude-x"
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
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


class FakeLLMServer:
    #: Characters per streamed piece of content or of tool-call arguments.
    chunk_size = 4

    def __init__(self, protocol: str = "openai") -> None:
        if protocol not in PATHS:
            raise ValueError(f"unknown protocol {protocol!r}")
        self.protocol = protocol
        #: Every request received, in order: ``{"path", "headers" (lower-case), "json"}``.
        self.requests: list[dict[str, Any]] = []
        #: Exceptions the handler threads met (connection errors after a client gave up
        #: are expected and not kept).
        self.errors: list[BaseException] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _Server | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> FakeLLMServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        self._closing.clear()
        self._httpd = _Server(("127.0.0.1", 0), _Handler, self)
        self._port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"fake-llm-{self.protocol}",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving: wake delayed replies, drop kept-alive connections, join threads."""
        if self._httpd is None:
            return
        self._closing.set()
        self._httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    @property
    def port(self) -> int:
        """Still known after close(), so assertions may quote ``url`` outside the block."""
        assert self._port is not None, "the server was never started"
        return self._port

    @property
    def url(self) -> str:
        """The base_url a provider of this protocol expects."""
        root = f"http://127.0.0.1:{self.port}"
        return root + "/v1" if self.protocol == "openai" else root

    # -- scripting -----------------------------------------------------------------------

    def reply(
        self,
        content: str | None = None,
        tool_calls: list[dict[str, Any]] | None = None,
        usage: tuple[int, int] = (10, 5),
        finish_reason: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay_s: float = 0.0,
        raw_body: str | bytes | None = None,
        model: str | None = None,
    ) -> FakeLLMServer:
        """Queue one answer; ``tool_calls`` are ``[{"id", "name", "arguments": {...}}]``."""
        with self._lock:
            self._replies.append(
                Reply(
                    content,
                    list(tool_calls or []),
                    usage,
                    finish_reason,
                    status,
                    headers,
                    delay_s,
                    raw_body,
                    model,
                )
            )
        return self

    def fail(self, status: int, message: str, retry_after: float | None = None) -> FakeLLMServer:
        """Queue an HTTP error with the body this protocol's API sends."""
        headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
        return self.reply(
            status=status,
            headers=headers,
            raw_body=json.dumps(error_body(self.protocol, status, message)),
        )

    @property
    def pending(self) -> int:
        """Replies scripted but not asked for yet."""
        with self._lock:
            return len(self._replies)

    @property
    def last(self) -> dict[str, Any]:
        return self.requests[-1]

    def _next(self) -> Reply | None:
        with self._lock:
            return self._replies.popleft() if self._replies else None


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


# -- wire formats ------------------------------------------------------------------------


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _arguments(call: dict[str, Any]) -> str:
    arguments = call.get("arguments", {})
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def _dumps(value: Any) -> str:
    # Unescaped non-ASCII, as real servers send it: parsers must cope with U+2028 and co.
    return json.dumps(value, ensure_ascii=False)


def openai_body(reply: Reply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": call["id"],
                "type": "function",
                "function": {"name": call["name"], "arguments": _arguments(call)},
            }
            for call in reply.tool_calls
        ]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": _openai_reason(reply)}],
        "usage": _openai_usage(reply),
    }


def _openai_reason(reply: Reply) -> str:
    return reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")


def _openai_usage(reply: Reply) -> dict[str, int]:
    prompt, completion = reply.usage
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def openai_stream(reply: Reply, model: str, size: int, include_usage: bool) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        body = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {_dumps(body)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    if reply.content:
        for piece in _pieces(reply.content, size):
            yield chunk({"content": piece})
    for index, call in enumerate(reply.tool_calls):
        head = {"index": index, "id": call["id"], "type": "function"}
        yield chunk({"tool_calls": [{**head, "function": {"name": call["name"], "arguments": ""}}]})
        for piece in _pieces(_arguments(call), size):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    yield chunk({}, _openai_reason(reply))
    if include_usage:
        usage = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [],
            "usage": _openai_usage(reply),
        }
        yield f"data: {_dumps(usage)}\n\n"
    yield "data: [DONE]\n\n"


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
        return f"event: {name}\ndata: {_dumps({'type': name, **body})}\n\n"

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
        for piece in _pieces(reply.content, size):
            yield event(
                "content_block_delta",
                {"index": index, "delta": {"type": "text_delta", "text": piece}},
            )
        yield event("content_block_stop", {"index": index})
        index += 1
    for call in reply.tool_calls:
        block = {"type": "tool_use", "id": call["id"], "name": call["name"], "input": {}}
        yield event("content_block_start", {"index": index, "content_block": block})
        for piece in ["", *_pieces(_arguments(call), size)]:
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


# -- HTTP plumbing -----------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True  # server_close() joins the handler threads

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeLLMServer
    ) -> None:
        self.fake = fake
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)) or error is None:
            return  # the client gave up (a timeout test) or the server is closing
        self.fake.errors.append(error)
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, like the real APIs
    timeout = 30
    server: _Server

    def setup(self) -> None:
        super().setup()
        fake = self.server.fake
        with fake._lock:
            fake._connections.add(self.connection)
            closing = fake._closing.is_set()
        if closing:  # accepted while close() ran: do not keep it alive
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        with self.server.fake._lock:
            self.server.fake._connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        fake.requests.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "json": body,
            }
        )
        if self.path != PATHS[fake.protocol]:
            self._send_json(404, error_body(fake.protocol, 404, f"no route for {self.path}"))
            return
        reply = fake._next()
        if reply is None:
            message = f"fake {fake.protocol} server: no reply is scripted for this request"
            self._send_json(500, error_body(fake.protocol, 500, message))
            return
        if reply.delay_s > 0 and fake._closing.wait(reply.delay_s):
            return
        asked: dict[str, Any] = body if isinstance(body, dict) else {}
        streaming = asked.get("stream") is True
        model = reply.model or asked.get("model") or "fake"
        if reply.raw_body is not None:
            kind = "text/event-stream" if streaming and reply.status == 200 else "application/json"
            self._send(reply.status, reply.raw_body, kind, reply.headers)
        elif reply.status != 200:
            message = f"scripted HTTP {reply.status}"
            self._send_json(
                reply.status, error_body(fake.protocol, reply.status, message), reply.headers
            )
        elif streaming:
            self._stream(reply, str(model), asked)
        elif fake.protocol == "openai":
            self._send_json(200, openai_body(reply, str(model)), reply.headers)
        else:
            self._send_json(200, anthropic_body(reply, str(model)), reply.headers)

    def _stream(self, reply: Reply, model: str, body: dict[str, Any]) -> None:
        size = self.server.fake.chunk_size
        if self.server.fake.protocol == "openai":
            options = body.get("stream_options") or {}
            events = openai_stream(reply, model, size, bool(options.get("include_usage")))
        else:
            events = anthropic_stream(reply, model, size)
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        for name, value in (reply.headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        for text in events:
            data = text.encode("utf-8")
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _send_json(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        self._send(status, _dumps(body), "application/json", headers)

    def _send(
        self, status: int, payload: str | bytes, kind: str, headers: dict[str, str] | None
    ) -> None:
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
