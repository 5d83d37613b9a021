"""Reading suites from files, JSON text or dicts, and finding the sequence they test."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from orch8_nb.errors import SequenceValidationError
from orch8_nb.model import SequenceDefinition
from orch8_nb.testing.contracts.errors import (
    ContractError,
    ContractProblem,
    problems_from_pydantic,
    with_cases,
)
from orch8_nb.testing.contracts.model import TAGGED, ContractSuite

SUFFIX = ".contracts.json"
_SKIP_DIRS = frozenset({"node_modules", "__pycache__"})

SuiteSource = str | os.PathLike[str] | Mapping[str, Any]
SequenceSource = SequenceDefinition | Mapping[str, Any] | str


def load_suite(source: SuiteSource) -> ContractSuite:
    """Read and validate a suite: a file path, JSON text (a string starting with ``{``)
    or a dict.

    Raises :class:`ContractError` naming the case and JSON path of every problem. A suite
    read from a file remembers it, so ``sequence_file`` is found relative to it.
    """
    path: Path | None = None
    if isinstance(source, Mapping):
        payload: Any = dict(source)
    else:
        if isinstance(source, os.PathLike) or not str(source).lstrip().startswith(("{", "[")):
            path = Path(source)
            text = _read(path, "", path)
        else:
            text = str(source)
        payload = _decode(text, path)
    if not isinstance(payload, dict):
        raise ContractError.at("", "a contract suite is a JSON object", source=path)
    try:
        suite = ContractSuite.model_validate(payload)
    except ValidationError as exc:
        problems = with_cases(problems_from_pydantic(exc, TAGGED), payload)
        raise ContractError(problems, source=path) from None
    suite._source = None if path is None else path.resolve()
    if suite.sequence_file is not None and path is not None:
        resolve_sequence(suite)  # a missing or broken sequence file is a load error
    return suite


def _read(path: Path, where: str, source: Path | None) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContractError.at(where, f"file not found: {path}", source=source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError.at(where, f"cannot read {path}: {exc}", source=source) from None


def _decode(text: str, source: Path | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise ContractError.at("", message, source=source) from None


def resolve_sequence(
    suite: ContractSuite,
    base_dir: str | os.PathLike[str] | None = None,
    sequence: SequenceSource | None = None,
) -> SequenceDefinition:
    """The sequence a suite tests, checked against ``sequence_name``/``sequence_version``.

    In order: ``sequence`` given here, the suite's inline ``sequence``, its
    ``sequence_file`` (relative to ``base_dir``, else to the suite's file, else to the
    working directory), then Orch8's convention: ``checkout.json`` beside
    ``checkout.contracts.json``.
    """
    if sequence is not None:
        found = _parse_given(sequence)
    elif suite.sequence is not None:
        found = suite.sequence
    elif suite._resolved is not None and base_dir is None:
        return suite._resolved
    elif suite.sequence_file is not None:
        found = _load_file(_base(suite, base_dir) / suite.sequence_file, "sequence_file", suite)
    else:
        found = _load_sibling(suite)
    _check_identity(suite, found)
    if sequence is None and base_dir is None:
        suite._resolved = found
    return found


def _parse_given(sequence: SequenceSource) -> SequenceDefinition:
    if isinstance(sequence, SequenceDefinition):
        return sequence
    return SequenceDefinition.from_json(sequence)


def _base(suite: ContractSuite, base_dir: str | os.PathLike[str] | None) -> Path:
    if base_dir is not None:
        return Path(base_dir)
    return suite.source.parent if suite.source is not None else Path.cwd()


def _load_file(path: Path, where: str, suite: ContractSuite) -> SequenceDefinition:
    text = _read(path, where, suite.source)
    try:
        return SequenceDefinition.from_json(text)
    except SequenceValidationError as exc:
        problems = [
            ContractProblem(where, f"{path.name}: {p.path or '<root>'}: {p.message}")
            for p in exc.problems
        ]
        raise ContractError(problems, source=suite.source) from None


def _load_sibling(suite: ContractSuite) -> SequenceDefinition:
    source = suite.source
    if source is not None and source.name.endswith(SUFFIX):
        sibling = source.with_name(source.name[: -len(SUFFIX)] + ".json")
        if sibling.is_file():
            return _load_file(sibling, "", suite)
    hint = f" (nor {source.name[: -len(SUFFIX)]}.json beside it)" if source else ""
    raise ContractError.at(
        "",
        f"no sequence to test: give 'sequence' or 'sequence_file'{hint}",
        source=source,
    )


def _check_identity(suite: ContractSuite, seq: SequenceDefinition) -> None:
    if suite.sequence_name is not None and seq.name != suite.sequence_name:
        raise ContractError.at(
            "sequence_name",
            f"the suite is for sequence {suite.sequence_name!r}, but the sequence is "
            f"named {seq.name!r}",
            source=suite.source,
        )
    wanted, actual = suite.sequence_version, seq.version
    if wanted is not None and actual is not None and wanted != actual:
        raise ContractError.at(
            "sequence_version",
            f"the suite is for version {wanted}, but the sequence is version {actual}",
            source=suite.source,
        )


def find_contract_files(root: str | os.PathLike[str]) -> list[Path]:
    """Every ``*.contracts.json`` under ``root`` (or ``root`` itself if it is a file), sorted.

    Hidden folders, ``node_modules`` and ``__pycache__`` are skipped.
    """
    base = Path(root)
    if base.is_file():
        return [base]
    if not base.is_dir():
        raise FileNotFoundError(f"no such file or folder: {base}")
    found = []
    for path in base.rglob(f"*{SUFFIX}"):
        folders = path.relative_to(base).parts[:-1]
        if any(p.startswith(".") or p in _SKIP_DIRS for p in folders):
            continue
        if path.is_file():
            found.append(path)
    return sorted(found)
