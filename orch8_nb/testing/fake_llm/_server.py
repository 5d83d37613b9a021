"""The fake server's face: start and stop it, script its replies, read what it was sent."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections import deque
from types import TracebackType
from typing import Any

from orch8_nb.testing.fake_llm._handler import Handler, Server
from orch8_nb.testing.fake_llm._reply import PATHS, Reply, error_body


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
        self._httpd: Server | None = None
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
        self._httpd = Server(("127.0.0.1", 0), Handler, self)
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
