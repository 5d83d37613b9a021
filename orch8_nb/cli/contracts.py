"""``orch8-nb test``: run Orch8 contract files and print a table per file."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from orch8_nb.cli.output import EXIT_FAILED, EXIT_OK, CliError, reporting
from orch8_nb.errors import InputValidationError

EPILOG = """\
Examples:

  orch8-nb test                      # every contract file under ./contracts

  orch8-nb test contracts/checkout.json tests/contracts/

Exit codes: 0 every case passed; 1 a case failed; 2 a path is missing, holds no contract
files, or a contract file is invalid.
"""


def run_contracts(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Contract files or folders to search.", show_default="contracts"),
    ] = None,
) -> None:
    """Run contract files: each case starts instances on a throwaway engine with a
    virtual clock and checks the expected states, outputs and timings."""
    with reporting(ctx) as output:
        contracts = _contracts_module()
        files = _collect(contracts, paths or [Path("contracts")])
        passed = failed = 0
        for path in files:
            cases = _run_file(contracts, path)
            output.show(_table(path, cases))
            for case in cases:
                for failure in case.failures:
                    output.line(f"  {case.name}: {failure}", "red")
            passed += sum(1 for c in cases if c.passed)
            failed += sum(1 for c in cases if not c.passed)
        noun = "file" if len(files) == 1 else "files"
        style = "bold red" if failed else "bold green"
        output.line(f"{passed} passed, {failed} failed in {len(files)} {noun}", style)
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def _contracts_module() -> Any:
    try:
        module = importlib.import_module("orch8_nb.testing.contracts")
    except ImportError as exc:
        raise CliError(f"the contract runner is not available ({exc})", EXIT_FAILED) from None
    if not all(hasattr(module, name) for name in _API):
        raise CliError("the contract runner is not available in this install", EXIT_FAILED)
    return module


_API = ("find_contract_files", "run_contract_file", "ContractError")


def _collect(contracts: Any, paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            in_dir = list(contracts.find_contract_files(path))
            if not in_dir:
                raise CliError(f"{path}: no contract files found")
            found.extend(in_dir)
        elif path.is_file():
            found.append(path)
        else:
            raise CliError(f"{path}: no such file or folder")
    return found


def _run_file(contracts: Any, path: Path) -> list[Any]:
    try:
        suite = contracts.run_contract_file(path)
    except contracts.ContractError as err:
        if isinstance(err, InputValidationError) and err.problems:
            raise CliError.invalid(f"{path} is not a valid contract file", err) from None
        raise CliError(f"{path}: {err}") from None
    return list(suite.cases)


def _table(path: Path, cases: list[Any]) -> Table:
    table = Table(title=str(path), title_justify="left")
    table.add_column("case", overflow="fold")
    table.add_column("result", no_wrap=True)
    table.add_column("ticks", justify="right")
    table.add_column("engine time", justify="right", no_wrap=True)
    table.add_column("wall time", justify="right", no_wrap=True)
    for case in cases:
        result = "[green]pass[/]" if case.passed else "[bold red]FAIL[/]"
        table.add_row(
            _plain(case.name), result, str(case.ticks), f"{case.logical_ms} ms",
            f"{case.duration_s:.2f} s",
        )  # fmt: skip
    return table


def _plain(text: str) -> str:
    return escape(str(text))
