"""The W3 benchmark script still runs end to end (its numbers are not asserted here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_run import run_benchmark

pytestmark = pytest.mark.slow


def test_w3_runs_and_reports_ratios(tmp_path: Path) -> None:
    report, stdout = run_benchmark("w3.py", tmp_path, "--instances", "30", "--repeat", "1")
    assert set(report["median_steps_per_s"]) == {"raw", "sequential", "concurrent"}
    assert all(v > 0 for v in report["median_steps_per_s"].values())
    assert "sequential" in stdout and "concurrent" in stdout


def test_tree_scaling_runs(tmp_path: Path) -> None:
    report, _ = run_benchmark("tree_scaling.py", tmp_path, "--repeat", "1", timeout=300)
    assert set(report) == {"sequential", "for_each", "for_each x8"}
    assert all(r["us_per_step_1000"] > 0 for r in report.values())
