"""``orch8-nb serve`` serves the API until interrupted, then shuts the engine down."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from orch8_nb.engine.clock import perf_counter, real_sleep

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "served.db"
    command = ["serve", "--port", str(port), "--db", f"sqlite:///{db}",
               "--cors-origin", "http://app.example"]  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-c", "from orch8_nb.cli import main; main()", *command],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = perf_counter() + 30
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                assert perf_counter() < deadline, "the server did not start"
                real_sleep(0.1)
        assert ready.json() == {"status": "ok"}
        made = httpx.post(f"http://127.0.0.1:{port}/api/v1/sequences",
                          json={"name": "s", "blocks": [{"type": "step", "id": "a",
                                                          "handler": "noop"}]})  # fmt: skip
        assert made.status_code == 201
        assert made.headers.get("access-control-allow-origin") is None  # not a browser
        page = httpx.get(f"http://127.0.0.1:{port}/dashboard")
        assert page.status_code == 200 and 'id="orch8-dashboard"' in page.text
        cors = httpx.get(f"http://127.0.0.1:{port}/health/live",
                         headers={"origin": "http://app.example"})  # fmt: skip
        assert cors.headers["access-control-allow-origin"] == "http://app.example"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert f"orch8-nb API on http://127.0.0.1:{port}" in err
    assert f"dashboard at http://127.0.0.1:{port}/dashboard" in err
    assert db.exists()
