"""Kill the engine's process with SIGKILL mid-run, several times; nothing committed repeats.

A child process runs 50 instances of a 5-step sequence (or of one with a parallel and a
loop in the middle, or of one that runs three of its steps in a sub-sequence) whose
handlers log every execution.
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
STEPS = ("s1", "s2", "s3", "s4", "s5")
#: Step executions per instance for each shape (the composite loop runs s4 three times).
RUNS_PER_INSTANCE = {"steps": 5, "composite": 7, "sub_sequence": 5}
#: Instances per started instance (a sub-sequence adds a child).
INSTANCES_PER = {"steps": 1, "composite": 1, "sub_sequence": 2}
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
    """Committed step executions, keyed like the log: ``s4#k`` is s4's k-th output row."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT instance_id, block_id FROM block_outputs WHERE output_ref IS NULL ORDER BY seq"
        ).fetchall()
    finally:
        conn.close()
    seen: Counter[tuple[str, str]] = Counter()
    keys = set()
    for iid, block in rows:
        if block in STEPS:
            keys.add((iid, f"{block}#{seen[(iid, block)]}"))
            seen[(iid, block)] += 1
    return keys


def spawn(db: Path, log: Path, shape: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(db), str(log), shape],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("shape", ["steps", "composite", "sub_sequence"])
def test_sigkill_loses_nothing_and_repeats_only_in_flight_steps(tmp_path: Path, shape: str) -> None:
    db, log = tmp_path / "crash.db", tmp_path / "runs.log"
    in_flight_at_kill: Counter[tuple[str, str]] = Counter()
    kills = 0
    for threshold in KILL_AFTER_LINES:
        child = spawn(db, log, shape)
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

    final = spawn(db, log, shape)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    assert "done" in out

    conn = sqlite3.connect(db)
    states = Counter(s for (s,) in conn.execute("SELECT state FROM instances"))
    parents = Counter(p for (p,) in conn.execute("SELECT parent_instance_id FROM instances"))
    conn.close()
    assert states == {"completed": INSTANCES * INSTANCES_PER[shape]}
    if shape == "sub_sequence":  # exactly one child per parent, whatever the kills hit
        assert parents.pop(None) == INSTANCES
        assert sorted(set(parents.values())) == [1] and len(parents) == INSTANCES
    assert len(committed(db)) == INSTANCES * RUNS_PER_INSTANCE[shape]

    runs = Counter(logged(log))
    assert set(runs) == committed(db)
    for step, count in runs.items():
        assert count <= 1 + in_flight_at_kill[step], (step, count)
        if step not in in_flight_at_kill:
            assert count == 1, (step, count)
