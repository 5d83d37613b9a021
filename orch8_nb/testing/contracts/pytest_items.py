"""pytest collection of ``*.contracts.json`` files: one test item per case.

The plugin's ``pytest_collect_file`` hook calls :func:`collect`. A file that cannot be read
is a collection error naming the case and JSON path; a case that fails lists its unmet
expectations, without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from orch8_nb.testing.contracts.errors import ContractError
from orch8_nb.testing.contracts.loading import SUFFIX, load_suite, resolve_sequence
from orch8_nb.testing.contracts.model import ContractCase, ContractSuite
from orch8_nb.testing.contracts.results import CaseResult
from orch8_nb.testing.contracts.runner import run_case

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr, TracebackStyle


def collect(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    """A collector for ``file_path`` if it is a contract suite, else ``None``."""
    if not file_path.name.endswith(SUFFIX):
        return None
    return ContractFile.from_parent(parent, path=file_path)


class ContractFile(pytest.File):
    """A ``*.contracts.json`` file; its items are its cases."""

    def collect(self) -> Iterator[ContractItem]:
        suite = load_suite(self.path)
        resolve_sequence(suite)
        for case in suite.cases:
            yield ContractItem.from_parent(self, name=case.name, suite=suite, case=case)

    def repr_failure(  # type: ignore[override]  # pytest's Collector drops ``style``
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, ContractError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class ContractCaseFailed(Exception):
    """A contract case did not hold; carries its result."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.report())
        self.result = result


class ContractItem(pytest.Item):
    """One case of a contract suite."""

    def __init__(self, *, suite: ContractSuite, case: ContractCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self.case = case

    def runtest(self) -> None:
        result = run_case(self.suite, self.case)
        if not result.passed:
            raise ContractCaseFailed(result)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, ContractCaseFailed | ContractError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"contract case {self.case.name!r}"
