"""No notebook escapes CI: each one is either an nbval item or in the durable pair."""

from __future__ import annotations

import subprocess
import sys

from nbrun import DURABLE_PAIR, NOTEBOOKS, notebook_names


def nbval_notebooks() -> set[str]:
    """Notebooks the configured pytest run (pyproject addopts) collects as nbval items."""
    root = NOTEBOOKS.parent
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "notebooks",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: nothing collected
    return {
        line.split("::")[0].removeprefix("notebooks/")
        for line in done.stdout.splitlines()
        if ".ipynb::" in line
    }


def test_every_notebook_runs_in_ci() -> None:
    collected = nbval_notebooks()
    assert set(DURABLE_PAIR) <= set(notebook_names())
    assert not collected & set(DURABLE_PAIR), "nbval must not run the kill-the-kernel pair"
    assert collected | set(DURABLE_PAIR) == set(notebook_names()), (
        "every notebook must run under nbval (pyproject addopts: --nbval) or be in DURABLE_PAIR"
    )
