"""The pytest plugin registers itself: a project without any conftest gets the fixtures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def doc_test_files() -> list[str]:
    """The test modules shown in docs/testing.md (its own sections only)."""
    text = DOC.read_text().split("## Contract tests")[0]
    return [code for code in re.findall(r"```python\n(.*?)```", text, re.S) if "def test_" in code]


USER_TESTS = """
import time

import pytest

import orch8_nb as o8
from orch8_nb.testing import Failure, Success, assert_called, assert_completed, assert_path

CLOSED = []


def test_fixtures(engine_env, engine, mock_handler):
    assert engine is engine_env.engine
    assert engine.url == "sqlite://:memory:" and engine.clock.virtual
    charge = mock_handler("charge", script=[Failure("down"), Success({"ok": True})])
    seq = o8.sequence(
        "pay",
        o8.step("wait", "noop", delay={"duration": "30d"}),
        o8.step("charge", "charge", retry=o8.retry(3, initial_backoff="6h", max_backoff="6h")),
    )
    began = time.perf_counter()
    inst = engine_env.start(seq)
    assert engine_env.result(inst)["charge"] == {"ok": True}
    assert time.perf_counter() - began < 1.0
    assert_completed(inst)
    assert_path(inst, ["wait", "charge"])
    assert_called(charge, times=2)
    CLOSED.append(engine_env)


def test_the_previous_env_was_closed(engine_env):
    assert CLOSED and CLOSED[0].closed
    assert not engine_env.closed


@pytest.mark.orch8(start_ms=1000, seed=3)  # registered: the run uses --strict-markers
def test_marker(engine_env):
    assert engine_env.now() == 1000


def test_registered_through_the_entry_point(pytestconfig):
    import orch8_nb.testing.plugin

    assert pytestconfig.pluginmanager.get_plugin("orch8_nb") is orch8_nb.testing.plugin
"""


def test_the_plugin_registers_itself_without_a_conftest(pytester: pytest.Pytester) -> None:
    """One run for both: a clean project, and the doc's examples passing as written."""
    docs = doc_test_files()
    assert docs
    pytester.makepyfile(test_user=USER_TESTS, **{f"test_doc_{i}": c for i, c in enumerate(docs)})
    result = pytester.runpytest_subprocess(
        "--strict-markers", "-W", "error", "-p", "no:cacheprovider"
    )
    doc_tests = sum(code.count("\ndef test_") for code in docs)
    result.assert_outcomes(passed=4 + doc_tests)


def test_importing_the_plugin_starts_nothing() -> None:
    code = "import threading, orch8_nb.testing.plugin; print(threading.active_count())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"
