"""Serving the API from a notebook: uvicorn on a background thread, stopped by ``stop()``."""

from __future__ import annotations

import threading
from typing import Any

from orch8_nb.engine import Engine
from orch8_nb.engine.clock import perf_counter, real_sleep


class Server:
    """A running API server (``engine.serve()``); ``url`` is where it listens."""

    def __init__(self, engine: Engine, *, host: str, port: int, **app_options: Any) -> None:
        import uvicorn

        from orch8_nb.server.app import create_app

        config = uvicorn.Config(create_app(engine, **app_options), host=host, port=port,
                                log_level="warning", lifespan="off")  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="orch8-api", daemon=True)
        self._thread.start()
        deadline = perf_counter() + 10
        while not self._server.started:
            if not self._thread.is_alive() or perf_counter() > deadline:
                raise RuntimeError(f"the API server did not start on {host}:{port}")
            real_sleep(0.01)
        sock = self._server.servers[0].sockets[0]
        self.host, self.port = sock.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return (
            f"<orch8-nb API at {self.url} ({'running' if self._thread.is_alive() else 'stopped'})>"
        )
