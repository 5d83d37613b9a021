"""CLI fixtures: an in-process runner in a scratch folder, and the installed script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from orch8_nb.cli import app

Invoke = Callable[..., Result]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder that is the working directory for the test."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def cli(project: Path) -> Invoke:
    """``cli("run", "seq.json")``: run the app in-process; returns click's ``Result``."""
    runner = CliRunner()

    def invoke(*args: str, **kwargs: Any) -> Result:
        return runner.invoke(app, list(args), **kwargs)

    return invoke


@pytest.fixture
def write_json(project: Path) -> Callable[[str, Any], Path]:
    def write(name: str, payload: Any) -> Path:
        path = project / name
        path.write_text(json.dumps(payload), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def script() -> str:
    """The installed ``orch8-nb`` console script of this environment."""
    beside = Path(sys.executable).parent / "orch8-nb"
    found = str(beside) if beside.exists() else shutil.which("orch8-nb")
    if found is None:
        pytest.fail("the orch8-nb script is not installed (pip install -e .)")
    return found


@pytest.fixture
def orch8_nb(project: Path, script: str) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real ``orch8-nb`` script in the project folder, as a user would."""

    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, *args], cwd=project, capture_output=True, text=True, timeout=timeout
        )

    return run


@pytest.fixture(scope="session")
def python3_kernel() -> Iterator[str]:
    """A Jupyter kernel named ``python3`` running this interpreter.

    ipykernel ships the spec inside the environment (``share/jupyter/kernels``); if it is
    missing, it is installed there (``--sys-prefix``), never in the user's home.
    """
    from jupyter_client.kernelspec import find_kernel_specs

    if "python3" not in find_kernel_specs():
        subprocess.run(
            [sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
            check=True,
            capture_output=True,
        )
    yield "python3"
