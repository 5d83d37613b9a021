"""Headless answers: `orch8-nb notebooks run -p` replaces a notebook's parameters, as
papermill does, so a decision a person takes in a live session is answered in CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
from nbrun import NOTEBOOKS


def test_the_paused_instance_takes_the_decision_from_the_parameters(tmp_path: Path) -> None:
    executed = tmp_path / "04-cancel.ipynb"
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("orch8-nb")),
            "notebooks",
            "run",
            str(NOTEBOOKS / "04-signals-and-workers.ipynb"),
            "-p",
            "DECISION",
            "cancel",
            "-o",
            str(executed),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    printed = "".join(
        out.get("text", "")
        for cell in nbformat.read(executed, as_version=4).cells
        for out in cell.get("outputs", [])
        if out.get("name") == "stdout"
    )
    assert "decision: cancel · state: cancelled" in printed
    assert "signals delivered: ['pause', 'update_context', 'cancel']" in printed
