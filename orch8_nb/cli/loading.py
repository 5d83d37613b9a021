"""Reading what users hand the CLI: sequence files and ``--input`` JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orch8_nb.cli.output import CliError
from orch8_nb.errors import SequenceValidationError
from orch8_nb.model import SequenceDefinition


def read_json_file(path: Path) -> Any:
    """The decoded JSON of ``path``; a ``CliError`` naming the line and column if malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory, not a JSON file") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_json(text, str(path))


def parse_json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"{where}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None


def load_sequence(path: Path) -> SequenceDefinition:
    """Parse and validate a sequence file; every problem is reported with its JSON path."""
    payload = read_json_file(path)
    if not isinstance(payload, dict):
        raise CliError(f"{path}: a sequence is a JSON object, not {_json_type(payload)}")
    try:
        return SequenceDefinition.from_json(payload)
    except SequenceValidationError as err:
        raise CliError.invalid(f"{path} is not a valid sequence", err) from None


def load_input(text: str | None, file: Path | None) -> dict[str, Any]:
    """The instance's ``context.data`` from ``--input`` or ``--input-file`` (default ``{}``)."""
    if text is not None and file is not None:
        raise CliError("give --input or --input-file, not both")
    if text is not None:
        data = parse_json(text, "--input")
        where = "--input"
    elif file is not None:
        data = read_json_file(file)
        where = str(file)
    else:
        return {}
    if not isinstance(data, dict):
        raise CliError(f"{where} must be a JSON object, not {_json_type(data)}")
    return data


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
