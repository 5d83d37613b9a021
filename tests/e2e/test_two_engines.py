"""Two engine processes on one SQLite file: every step runs once, every instance finishes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("shared_child.py")

pytestmark = pytest.mark.slow


def test_two_processes_share_the_work_without_double_runs(tmp_path: Path) -> None:
    db, log = tmp_path / "shared.db", tmp_path / "runs.log"
    children = [
        subprocess.Popen(
            [sys.executable, str(CHILD), str(db), str(log), tag],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("left", "right")
    ]
    try:
        for child in children:
            out, err = child.communicate(timeout=90)
            assert child.returncode == 0, err
            assert "'completed': 80" in out, out
    finally:
        for child in children:  # a failed assertion must not leave the other one running
            if child.poll() is None:
                child.kill()
                child.communicate()
    runs = Counter(
        (line.split()[0], line.split()[1]) for line in log.read_text().splitlines() if line
    )
    assert len(runs) == 80 * 3
    assert set(runs.values()) == {1}, [k for k, v in runs.items() if v > 1][:5]
    by_engine = Counter(line.split()[2] for line in log.read_text().splitlines() if line)
    assert set(by_engine) == {"left", "right"}  # both engines did some of the work
    conn = sqlite3.connect(db)
    try:
        states = Counter(s for (s,) in conn.execute("SELECT state FROM instances"))
    finally:
        conn.close()
    assert states == {"completed": 80}
