"""Contract tests: Orch8's declarative ``*.contracts.json`` suites, run on virtual time.

``load_suite`` reads a suite (raising :class:`ContractError` with the case and JSON path
of every problem), ``run_suite`` runs each case on a fresh in-memory engine, and
``find_contract_files`` finds suites under a folder. The pytest collector lives in
``pytest_items`` so that importing this package never imports pytest.
"""

from orch8_nb.testing.contracts.errors import ContractError, ContractProblem
from orch8_nb.testing.contracts.loading import find_contract_files, load_suite, resolve_sequence
from orch8_nb.testing.contracts.mocking import PURE_BUILTINS
from orch8_nb.testing.contracts.model import ContractCase, ContractSuite
from orch8_nb.testing.contracts.results import CaseResult, SuiteResult
from orch8_nb.testing.contracts.runner import run_case, run_contract_file, run_suite

__all__ = [
    "PURE_BUILTINS",
    "CaseResult",
    "ContractCase",
    "ContractError",
    "ContractProblem",
    "ContractSuite",
    "SuiteResult",
    "find_contract_files",
    "load_suite",
    "resolve_sequence",
    "run_case",
    "run_contract_file",
    "run_suite",
]
