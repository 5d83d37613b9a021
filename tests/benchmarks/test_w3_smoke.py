"""The W3 benchmark script still runs end to end (its numbers are not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_w3_runs_and_reports_ratios(tmp_path: Path) -> None:
    out = tmp_path / "w3.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "w3.py"), "--instances", "30",
         "--repeat", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert set(report["median_steps_per_s"]) == {"raw", "sequential", "concurrent"}
    assert all(v > 0 for v in report["median_steps_per_s"].values())
    assert "sequential" in done.stdout and "concurrent" in done.stdout


def test_tree_scaling_runs(tmp_path: Path) -> None:
    out = tmp_path / "tree.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "tree_scaling.py"), "--repeat", "1",
         "--json", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert set(report) == {"sequential", "for_each", "for_each x8"}
    assert all(r["us_per_step_1000"] > 0 for r in report.values())
