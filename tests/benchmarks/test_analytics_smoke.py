"""The analytics benchmark script still runs end to end (its numbers are not asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_run import run_benchmark

pytestmark = pytest.mark.slow


def test_analytics_benchmark_runs_and_reports(tmp_path: Path) -> None:
    report, stdout = run_benchmark(
        "analytics.py", tmp_path, "--rows", "4000", "--new-rows", "400", "--repeat", "1"
    )
    assert report["audit_rows"] == 4000 and report["new_rows"] == 400
    assert report["first_load_s"] > 0 and 0 < report["refresh_vs_reload"] < 1
    assert "A/B outcomes of 'prompt'" in stdout
