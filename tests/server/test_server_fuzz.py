"""Schemathesis fuzzes every operation of the OpenAPI description against a live server:
whatever it sends, the API answers with a 4xx or a success, never a 5xx."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from orch8_nb.engine import Engine

pytestmark = pytest.mark.slow


def test_no_request_makes_the_server_fail(
    make_engine: Callable[..., Engine],
) -> None:
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    assert st is not None, "schemathesis is part of the test extra"
    engine = make_engine("sqlite://:memory:", virtual=False)
    with engine.serve(port=0) as server:
        done = subprocess.run(
            [st, "run", f"{server.url}/api-docs/openapi.json", "--checks", "not_a_server_error",
             "--max-examples", "8", "--seed", "8", "--no-color"],
            capture_output=True, text=True, timeout=110, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    tested = re.search(r"Tested: (\d+)", done.stdout)
    assert tested is not None and int(tested.group(1)) >= 30  # every operation
    cases = re.search(r"(\d+) generated, (\d+) passed", done.stdout)
    assert cases is not None and cases.group(1) == cases.group(2), done.stdout[-2000:]
