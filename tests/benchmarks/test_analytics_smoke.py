"""The analytics benchmark script still runs end to end (its numbers are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_analytics_benchmark_runs_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "analytics.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "analytics.py"), "--rows", "4000",
         "--new-rows", "400", "--repeat", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["audit_rows"] == 4000 and report["new_rows"] == 400
    assert report["first_load_s"] > 0 and 0 < report["refresh_vs_reload"] < 1
    assert "A/B outcomes of 'prompt'" in done.stdout
