"""Global behaviour: --version, --help with examples everywhere, clean errors, --debug."""

from __future__ import annotations

import pytest

import orch8_nb
from orch8_nb.cli import run as run_module
from orch8_nb.cli.templates import SEQUENCE

COMMANDS = [["init"], ["run"], ["validate"], ["test"], ["notebooks", "run"]]


def test_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.output == f"orch8-nb {orch8_nb.__version__}\n"


def test_no_command_shows_help(cli) -> None:
    result = cli()
    assert result.exit_code == 2
    for name in ("init", "run", "validate", "test", "notebooks"):
        assert name in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_examples(cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Examples" in result.output
    assert "orch8-nb " + " ".join(command) in result.output


def test_unknown_option_is_a_usage_error(cli) -> None:
    result = cli("run", "seq.json", "--inptu", "{}")
    assert result.exit_code == 2
    assert "No such option" in result.output


def boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("disk on fire")


def test_unexpected_errors_are_one_line_without_debug(cli, write_json, monkeypatch) -> None:
    write_json("seq.json", SEQUENCE)
    monkeypatch.setattr(run_module, "_run", boom)
    result = cli("run", "seq.json")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: RuntimeError: disk on fire\n(run with --debug for the traceback)\n"
    )


def test_debug_shows_the_traceback(cli, write_json, monkeypatch) -> None:
    write_json("seq.json", SEQUENCE)
    monkeypatch.setattr(run_module, "_run", boom)
    result = cli("--debug", "run", "seq.json")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: disk on fire" in result.stderr
