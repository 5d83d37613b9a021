"""The worker load test still runs end to end, at a small size (nothing lost, nothing
done twice; its throughput is not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_workers_load_test_runs_and_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "workers.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "workers_load.py"), "--tasks", "200",
         "--workers", "4", "--limit-s", "90", "--json", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["lost"] == 0 and report["completed_twice"] == 0
    assert report["instances_by_state"] == {"completed": 200} and report["outputs"] == 200
