"""Running a benchmark script the way a user would, small enough for the suite: its
exit, what it printed and the JSON report it wrote (numbers are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_benchmark(
    script: str, tmp_path: Path, *args: str, timeout: float = 120
) -> tuple[dict[str, Any], str]:
    """Run ``benchmarks/<script>`` with ``args`` and ``--json``; its report and stdout."""
    out = tmp_path / f"{Path(script).stem}.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args, "--json", str(out)],
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(out.read_text()), done.stdout
