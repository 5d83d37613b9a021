"""pytest collects ``*.contracts.json``: one item per case, readable failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SUITES = Path(__file__).parent / "suites"
# What the plugin module does; the installed plugin is disabled so files collect once (and
# hypothesis's plugin, which costs seconds per inner run).
NO_PLUGINS = ("-p", "no:orch8_nb", "-p", "no:hypothesispytest")
CONFTEST = """
def pytest_collect_file(file_path, parent):
    from orch8_nb.testing.contracts.pytest_items import collect
    return collect(file_path, parent)
"""
SEQ = {"name": "s", "blocks": [{"type": "step", "id": "a", "handler": "h"}]}


def test_cases_are_items(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    for name in ("checkout.json", "checkout.contracts.json"):
        shutil.copy(SUITES / name, pytester.path / name)
    (pytester.path / "ignored.json").write_text("{not json")
    failing = {
        "sequence": SEQ,
        "cases": [
            {"name": "ok", "mocks": [{"handler": "h", "type": "success"}], "expect": {}},
            {"name": "wrong state", "mocks": [{"handler": "h", "type": "success", "output": 1}],
             "expect": {"terminal_state": "failed",
                        "assertions": [{"output": {"block": "a"}, "op": "equals", "value": 2}]}},
        ],
    }  # fmt: skip
    (pytester.path / "small.contracts.json").write_text(json.dumps(failing))
    result = pytester.runpytest(*NO_PLUGINS, "-v")
    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines(
        [
            "checkout.contracts.json::happy path PASSED*",
            "checkout.contracts.json::declined card PASSED*",
            "small.contracts.json::ok PASSED*",
            "small.contracts.json::wrong state FAILED*",
            "*contract case 'wrong state' FAILED",
            "  - expect.terminal_state: expected 'failed', got 'completed'",
            "  - expect.assertions[0] (output.a): expected 2, got 1",
            "  final state: completed; ran: a; 1 tick, 0 ms of virtual time",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "pytest_items.py" not in result.stdout.str()


def test_broken_file_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    shutil.copy(SUITES / "broken" / "unknown_op.json", pytester.path / "bad.contracts.json")
    (pytester.path / "sequences").mkdir()
    shutil.copy(SUITES / "sequences" / "reminders.json", pytester.path / "sequences")
    result = pytester.runpytest(*NO_PLUGINS, "bad.contracts.json")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    out = result.stdout.str()
    assert "ERROR collecting bad.contracts.json" in out
    assert f"invalid contract suite {pytester.path / 'bad.contracts.json'} (1 problem):" in out
    assert "  - cases[2] (\"declined card\").expect.assertions[0].op: unknown op 'equal';" in out
    assert "Traceback" not in out


def test_the_installed_plugin_collects_contracts(pytester: pytest.Pytester) -> None:
    for name in ("checkout.json", "checkout.contracts.json"):
        shutil.copy(SUITES / name, pytester.path / name)
    result = pytester.runpytest("-p", "no:hypothesispytest", "-q")
    result.assert_outcomes(passed=6)
