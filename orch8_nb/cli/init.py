"""``orch8-nb init``: a runnable starting point, written only where nothing exists yet."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from orch8_nb.cli.output import CliError, Output, reporting
from orch8_nb.cli.templates import files

EPILOG = """\
Examples:

  orch8-nb init my-flows && cd my-flows && orch8-nb run sequence.json

  orch8-nb init . --force    # rewrite the three files with the templates
"""


def init(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="Folder to set up (created if missing).")
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that already exist.")
    ] = False,
) -> None:
    """Create orch8.toml, a hello-world sequence.json and a starter hello.ipynb.

    Existing files are kept (safe to re-run) unless --force is given.
    """
    with reporting(ctx) as output:
        if directory.exists() and not directory.is_dir():
            raise CliError(f"{directory}: exists and is not a folder")
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(f"{directory}: cannot create the folder ({exc.strerror})") from None
        for name, content in files().items():
            _write(directory / name, content, force, output)
        _next_steps(directory, output)


def _write(path: Path, content: str, force: bool, output: Output) -> None:
    existed = path.exists()
    if existed and not force:
        output.line(f"kept existing {path}", "dim")
        return
    try:
        # "x" refuses a file that appeared since the check: never clobber without --force.
        with path.open("w" if force else "x", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
    except FileExistsError:
        output.line(f"kept existing {path}", "dim")
        return
    except OSError as exc:
        raise CliError(f"{path}: cannot write ({exc.strerror})") from None
    output.line(f"{'overwrote' if existed else 'created'} {path}", "green")


def _next_steps(directory: Path, output: Output) -> None:
    here = directory.resolve() == Path.cwd().resolve()
    steps = [
        *([] if here else [f"cd {shlex.quote(str(directory))}"]),
        'orch8-nb run sequence.json --input \'{"name": "Ada"}\'',
        "jupyter lab hello.ipynb      # or: orch8-nb notebooks run hello.ipynb",
    ]
    output.line("\nnext:")
    for step in steps:
        output.line(f"  {step}")
