"""The example suites in ``suites/`` hold (the pytest plugin also runs them case by case)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orch8_nb.testing.contracts import find_contract_files, load_suite, run_contract_file

SUITES = Path(__file__).parent / "suites"
FILES = find_contract_files(SUITES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_suite_passes(path: Path) -> None:
    result = run_contract_file(path)
    assert result.passed, "\n".join(c.report() for c in result.failed)


def test_there_are_enough_cases() -> None:
    names = [case.name for path in FILES for case in load_suite(path).cases]
    assert len(names) >= 15
    assert len(set(names)) == len(names)
