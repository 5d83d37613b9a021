"""The worker load test still runs end to end, at a small size (nothing lost, nothing
done twice; its throughput is not asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_run import run_benchmark

pytestmark = pytest.mark.slow


def test_workers_load_test_runs_and_loses_nothing(tmp_path: Path) -> None:
    report, _ = run_benchmark(
        "workers_load.py", tmp_path, "--tasks", "200", "--workers", "4", "--limit-s", "90"
    )
    assert report["lost"] == 0 and report["completed_twice"] == 0
    assert report["instances_by_state"] == {"completed": 200} and report["outputs"] == 200
