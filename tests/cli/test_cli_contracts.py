"""``orch8-nb test``: a table per contract file, exit 0/1/2; the runner is faked here and
used for real once ``orch8_nb.testing.contracts`` provides it."""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from orch8_nb.errors import InputValidationError, Problem


@dataclass
class FakeCase:
    name: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    logical_ms: int = 0
    ticks: int = 1
    duration_s: float = 0.01


@dataclass
class FakeSuite:
    cases: list[FakeCase]


class FakeContractError(InputValidationError):
    what = "contract suite"


def fake_runner(results: dict[str, list[FakeCase]]) -> types.ModuleType:
    module = types.ModuleType("orch8_nb.testing.contracts")

    def find_contract_files(root: Path) -> list[Path]:
        return sorted(Path(root).rglob("*.contracts.json"))

    def run_contract_file(path: Path) -> FakeSuite:
        name = Path(path).name
        if name.startswith("broken"):
            raise FakeContractError(
                [Problem('cases[0] ("x").expect.terminal_state', "must be one of ...")]
            )
        return FakeSuite(results[name])

    module.find_contract_files = find_contract_files  # type: ignore[attr-defined]
    module.run_contract_file = run_contract_file  # type: ignore[attr-defined]
    module.ContractError = FakeContractError  # type: ignore[attr-defined]
    return module


@pytest.fixture
def contracts_dir(project: Path) -> Path:
    folder = project / "contracts"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.contracts.json", "sub/b.contracts.json"):
        (folder / name).write_text("{}", encoding="utf-8")
    return folder


def install(monkeypatch: pytest.MonkeyPatch, results: dict[str, list[FakeCase]]) -> None:
    monkeypatch.setitem(sys.modules, "orch8_nb.testing.contracts", fake_runner(results))


def test_all_pass_exits_0_with_a_table_per_file(cli, contracts_dir, monkeypatch) -> None:
    install(
        monkeypatch,
        {
            "a.contracts.json": [FakeCase("happy path", True, logical_ms=1500, ticks=4)],
            "b.contracts.json": [FakeCase("retry", True), FakeCase("decline", True)],
        },
    )
    result = cli("test")  # ./contracts by default
    assert result.exit_code == 0, result.output
    assert "contracts/a.contracts.json" in result.output
    assert "contracts/sub/b.contracts.json" in result.output
    assert "happy path" in result.output and "1500 ms" in result.output
    assert "3 passed, 0 failed in 2 files" in result.output


def test_a_failing_case_exits_1_with_its_failures(cli, contracts_dir, monkeypatch) -> None:
    install(
        monkeypatch,
        {
            "a.contracts.json": [
                FakeCase("ok", True),
                FakeCase("declined [card]", False, ["expected failed, got completed"]),
            ]
        },
    )
    result = cli("test", "contracts/a.contracts.json")
    assert result.exit_code == 1
    assert "FAIL" in result.output
    assert "  declined [card]: expected failed, got completed" in result.output
    assert "1 passed, 1 failed in 1 file" in result.output


def test_an_invalid_contract_file_exits_2_naming_case_and_path(
    cli, contracts_dir, monkeypatch
) -> None:
    install(monkeypatch, {})
    (contracts_dir / "broken.contracts.json").write_text("{}", encoding="utf-8")
    result = cli("test", "contracts/broken.contracts.json")
    assert result.exit_code == 2
    assert "error: contracts/broken.contracts.json is not a valid contract file" in result.output
    assert '  cases[0] ("x").expect.terminal_state: must be one of' in result.output


def test_missing_path_and_empty_folder_exit_2(cli, project, monkeypatch) -> None:
    install(monkeypatch, {})
    result = cli("test", "nowhere")
    assert result.exit_code == 2
    assert "error: nowhere: no such file or folder" in result.output
    (project / "empty").mkdir()
    result = cli("test", "empty")
    assert result.exit_code == 2
    assert "error: empty: no contract files found" in result.output


def test_runner_missing_exits_1(cli, contracts_dir, monkeypatch) -> None:
    monkeypatch.setitem(
        sys.modules, "orch8_nb.testing.contracts", types.ModuleType("orch8_nb.testing.contracts")
    )
    result = cli("test")
    assert result.exit_code == 1
    assert "error: the contract runner is not available" in result.output


def test_real_contract_runner_end_to_end(cli, project: Path) -> None:
    contracts = pytest.importorskip("orch8_nb.testing.contracts")
    if not hasattr(contracts, "run_contract_file"):
        pytest.skip("orch8_nb.testing.contracts has no run_contract_file yet")
    sequence = {
        "name": "greeter",
        "blocks": [
            {"type": "step", "id": "greet", "handler": "greet"},
            {
                "type": "step",
                "id": "shout",
                "handler": "transform",
                "params": {"loud": "{{ outputs.greet.text | upper }}"},
            },
        ],
    }
    (project / "greeter.json").write_text(json.dumps(sequence), encoding="utf-8")

    def case(name: str, expected: str) -> dict[str, object]:
        return {
            "name": name,
            "mocks": [{"type": "success", "handler": "greet", "output": {"text": "hi"}}],
            "expect": {
                "terminal_state": "completed",
                "assertions": [
                    {
                        "op": "equals",
                        "output": {"block": "shout", "path": "loud"},
                        "value": expected,
                    }
                ],
            },
        }

    suite = {"sequence_file": "../greeter.json", "cases": [case("shouts", "HI")]}
    folder = project / "contracts"
    folder.mkdir()
    (folder / "greeter.contracts.json").write_text(json.dumps(suite), encoding="utf-8")
    result = cli("test")
    assert result.exit_code == 0, result.output
    assert "1 passed, 0 failed in 1 file" in result.output

    suite["cases"] = [case("shouts", "HI"), case("whispers", "hi")]
    (folder / "greeter.contracts.json").write_text(json.dumps(suite), encoding="utf-8")
    result = cli("test", "contracts")
    assert result.exit_code == 1, result.output
    assert "1 passed, 1 failed in 1 file" in result.output
    assert "  whispers: " in result.output

    (folder / "greeter.contracts.json").write_text('{"cases": []}', encoding="utf-8")
    result = cli("test")
    assert result.exit_code == 2, result.output
    assert "cases" in result.output
