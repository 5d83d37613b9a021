"""SIGKILL an agent in turn 3: after a restart, turns 1 and 2 are not sent to the model
again and their tools do not run again; turn 3 is sent once more and the agent finishes.

The fake OpenAI server runs in this process, so it outlives the killed child and counts
every request the model would have been paid for.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orch8_nb.testing import FakeLLMServer

CHILD = Path(__file__).with_name("agent_crash_child.py")

pytestmark = [pytest.mark.crash, pytest.mark.slow]


def spawn(db: Path, url: str, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(db), url, str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_kill_in_turn_3_resends_only_turn_3(tmp_path: Path) -> None:
    db, log = tmp_path / "agent.db", tmp_path / "tools.log"
    with FakeLLMServer("openai") as server:
        server.reply(tool_calls=[{"id": "c1", "name": "search", "arguments": {"topic": "SQLite"}}])
        server.reply(tool_calls=[{"id": "c2", "name": "search", "arguments": {"topic": "DuckDB"}}])
        server.reply(content="never delivered", delay_s=60)  # turn 3 hangs: the kill lands here
        server.reply(content="SQLite stores rows; DuckDB scans columns.")

        child = spawn(db, server.url, log)
        deadline = time.monotonic() + 60
        while len(server.requests) < 3:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the agent never reached turn 3"
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=10)
        turn3 = server.requests[2]["json"]["messages"]
        assert log.read_text().split("\n")[:2] == ["search SQLite", "search DuckDB"]

        again = spawn(db, server.url, log)
        out, err = again.communicate(timeout=60)
        assert again.returncode == 0, err
        assert out.split() == ["ready", "completed"]

        assert len(server.requests) == 4  # turns 1, 2, 3 (killed), 3 again
        assert server.requests[3]["json"]["messages"] == turn3
        assert log.read_text().splitlines() == ["search SQLite", "search DuckDB"]

    conn = sqlite3.connect(db)
    try:
        output = conn.execute(
            "SELECT output FROM block_outputs WHERE block_id = 'agent' AND output_ref IS NULL"
        ).fetchone()[0]
        turns = conn.execute(
            "SELECT json_extract(details, '$.purpose') FROM audit_log "
            "WHERE event_type = 'llm_call' ORDER BY seq"
        ).fetchall()
        progress = conn.execute(
            "SELECT COUNT(*) FROM instance_kv_state WHERE key LIKE '_progress:%'"
        ).fetchone()[0]
    finally:
        conn.close()
    assert '"iterations":3' in output and '"stop_reason":"completed"' in output
    # Turns 1 and 2 were audited with their checkpoints before the kill, once each.
    assert [t for (t,) in turns] == ["turn 1", "turn 2", "turn 3"]
    assert progress == 0
