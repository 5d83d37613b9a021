"""Kill the engine's process with SIGKILL mid-run, several times; nothing committed repeats.

A child process runs 50 instances of a 5-step sequence whose handlers log every execution.
It is killed at several points; after each kill we read which steps had committed. A
fresh engine on the same file then finishes everything. Every step runs exactly once,
except steps that were in flight at a kill (ran, did not commit): those may run again
(at-least-once), once per kill they were caught in.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("crash_child.py")
INSTANCES = 50
STEPS = 5
KILL_AFTER_LINES = (5, 60, 130, 200)

pytestmark = [pytest.mark.crash, pytest.mark.slow]


def logged(log: Path) -> list[tuple[str, str]]:
    if not log.exists():
        return []
    pairs = []
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2:
            pairs.append((parts[0], parts[1]))
    return pairs


def committed(db: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT instance_id, block_id FROM block_outputs WHERE output_ref IS NULL"
        ).fetchall()
    finally:
        conn.close()
    return {(r[0], r[1]) for r in rows}


def spawn(db: Path, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(db), str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_loses_nothing_and_repeats_only_in_flight_steps(tmp_path: Path) -> None:
    db, log = tmp_path / "crash.db", tmp_path / "runs.log"
    in_flight_at_kill: Counter[tuple[str, str]] = Counter()
    kills = 0
    for threshold in KILL_AFTER_LINES:
        child = spawn(db, log)
        deadline = time.monotonic() + 60
        while len(logged(log)) < threshold and child.poll() is None:
            assert time.monotonic() < deadline, "child made no progress"
            time.sleep(0.005)
        if child.poll() is not None:
            child.communicate()
            break  # finished before this kill point
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=10)
        kills += 1
        ran = set(logged(log))
        done = committed(db)
        for step in ran - done:
            in_flight_at_kill[step] += 1
    assert kills >= 2, "the child finished too early to be killed several times"
    print(f"kills={kills} in-flight-at-kill={sum(in_flight_at_kill.values())}")

    final = spawn(db, log)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    assert "done" in out

    conn = sqlite3.connect(db)
    states = Counter(s for (s,) in conn.execute("SELECT state FROM instances"))
    conn.close()
    assert states == {"completed": INSTANCES}
    assert len(committed(db)) == INSTANCES * STEPS

    runs = Counter(logged(log))
    assert set(runs) == committed(db)
    for step, count in runs.items():
        assert count <= 1 + in_flight_at_kill[step], (step, count)
        if step not in in_flight_at_kill:
            assert count == 1, (step, count)
