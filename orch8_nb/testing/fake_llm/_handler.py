"""HTTP plumbing: the threaded server and the handler that turns one POST into the next
scripted reply, sent whole or as a chunked SSE stream."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from orch8_nb.testing.fake_llm._anthropic import anthropic_body, anthropic_stream
from orch8_nb.testing.fake_llm._openai import openai_body, openai_stream
from orch8_nb.testing.fake_llm._reply import PATHS, Reply, dumps, error_body

if TYPE_CHECKING:
    from orch8_nb.testing.fake_llm._server import FakeLLMServer


class Server(ThreadingHTTPServer):
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


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, like the real APIs
    timeout = 30
    server: Server

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
        self._send(status, dumps(body), "application/json", headers)

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
