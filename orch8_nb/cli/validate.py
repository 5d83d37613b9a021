"""``orch8-nb validate``: check sequence files without running them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from orch8_nb.cli.loading import load_sequence
from orch8_nb.cli.output import EXIT_USAGE, CliError, Output, reporting
from orch8_nb.engine.blocks import SUPPORTED
from orch8_nb.engine.compiled import check_supported
from orch8_nb.errors import UnsupportedFeatureError
from orch8_nb.model import SequenceDefinition

EPILOG = """\
Examples:

  orch8-nb validate sequence.json

  orch8-nb validate flows/*.json --strict

Exit codes: 0 valid; 2 a file is missing, malformed or invalid (or, with --strict, uses
features this version does not execute yet).
"""


def validate(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Sequence JSON files.", show_default=False)],
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat features not executed yet as errors.")
    ] = False,
) -> None:
    """Validate sequence files: every problem is listed with its JSON path.

    Features this version accepts but does not execute yet (parallel blocks, deadlines...)
    are warnings; --strict makes them errors.
    """
    with reporting(ctx) as output:
        bad = 0
        for path in files:
            bad += not _validate_one(path, strict, output)
        if bad:
            noun = "file" if len(files) == 1 else "files"
            raise CliError(f"{bad} of {len(files)} {noun} invalid", EXIT_USAGE)


def _validate_one(path: Path, strict: bool, output: Output) -> bool:
    try:
        definition = load_sequence(path)
    except CliError as err:
        output.error(err.message, err.details)
        return False
    unsupported = _unsupported(definition)
    if unsupported and strict:
        output.error(f"{path}: uses features orch8-nb does not execute yet:", unsupported)
        return False
    output.line(f"ok {path}: {summary(definition)}", "green")
    for line in unsupported:
        output.warn(f"{path}: not executed yet: {line}")
    return True


def summary(definition: SequenceDefinition) -> str:
    """``sequence 'hello', 3 blocks (3 step)``."""
    kinds = Counter(str(ref.block.type) for ref in definition.iter_blocks())
    total = sum(kinds.values())
    parts = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    noun = "block" if total == 1 else "blocks"
    return f"sequence {definition.name!r}, {total} {noun} ({parts})"


def _unsupported(definition: SequenceDefinition) -> list[str]:
    try:
        check_supported(definition, SUPPORTED)
    except UnsupportedFeatureError as err:
        lines = str(err).splitlines()[1:]
        return [line.strip().removeprefix("- ") for line in lines]
    return []
