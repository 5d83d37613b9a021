"""``orch8-nb notebooks run``: execute a notebook headless, papermill-style parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from orch8_nb.cli import nbrun
from orch8_nb.cli.output import EXIT_FAILED, CliError, Output, reporting

app = typer.Typer(
    name="notebooks",
    help="Work with notebooks: run one headless (for CI).",
    no_args_is_help=True,
)

_FLAGS = ("-p", "--parameter")
#: Joins a parameter's name and value into the one token click sees; argv never holds NUL.
_SEP = "\0"

EPILOG = """\
Examples:

  orch8-nb notebooks run hello.ipynb

  orch8-nb notebooks run report.ipynb -p name Ada -p limit 10 -p tags '["a", "b"]'

  orch8-nb notebooks run report.ipynb --output executed.ipynb --timeout 120

Parameters go into a new cell after the cell tagged "parameters" (at the top if there is
none). Values are parsed as JSON (10, true, [1, 2], {"a": 1}); anything else is a string.
Exit codes: 0 every cell ran; 1 a cell failed or timed out; 2 bad input (file, notebook,
parameter, kernel name).
"""


class _PairedParameters(TyperCommand):
    """Lets ``-p NAME VALUE`` take two tokens, as papermill does (typer options take one)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, pair_parameters(args))


def pair_parameters(args: list[str]) -> list[str]:
    """``-p NAME VALUE`` -> ``--parameter NAME<NUL>VALUE``; everything else unchanged."""
    out: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            return out + args[i:]
        if token in _FLAGS and i + 2 < len(args):
            out += ["--parameter", f"{args[i + 1]}{_SEP}{args[i + 2]}"]
            i += 3
            continue
        out.append(token)
        i += 1
    return out


@app.command("run", cls=_PairedParameters, epilog=EPILOG)
def run_notebook(
    ctx: typer.Context,
    notebook: Annotated[Path, typer.Argument(help="The .ipynb file.", show_default=False)],
    parameter: Annotated[
        list[str] | None,
        typer.Option(
            "--parameter",
            "-p",
            metavar="NAME VALUE",
            help="Set a parameter (repeatable). VALUE is JSON or else a string.",
        ),
    ] = None,
    kernel: Annotated[
        str | None,
        typer.Option("--kernel", "-k", help="Kernel name (default: the notebook's own)."),
    ] = None,
    output_path: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the executed notebook here (also on failure)."),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0, help="Seconds each cell may run.")
    ] = None,
) -> None:
    """Execute every cell of a notebook in a fresh kernel; stop at the first failing cell
    and print its traceback."""
    with reporting(ctx) as output:
        params = _parameters(parameter or [])
        failure, injected_at = _execute(notebook, params, kernel, output_path, timeout, output)
        if failure is not None:
            where = _cell_name(failure.index, injected_at)
            _report(where, failure, output)
            raise CliError(f"{notebook}: {where} {failure.reason}", EXIT_FAILED)


def _parameters(raw: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in raw:
        name, sep, value = item.partition(_SEP)
        if not sep:
            raise CliError(f"-p {item}: expected two values, -p NAME VALUE")
        nbrun.check_name(name)
        params[name] = nbrun.parse_value(value)
    return params


def _execute(
    notebook: Path,
    params: dict[str, Any],
    kernel: str | None,
    output_path: Path | None,
    timeout: float | None,
    output: Output,
) -> tuple[nbrun.CellFailure | None, int | None]:
    try:
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as exc:
        raise CliError(
            f"notebooks run needs the notebooks extra ({exc.name} is missing): "
            "pip install 'orch8-nb[notebooks]'"
        ) from None
    nb = nbrun.read_notebook(notebook)
    injected_at = nbrun.inject_parameters(nb, params) if params else None
    code_cells = sum(1 for c in nb.cells if c.get("cell_type") == "code")
    output.line(f"running {notebook} ({code_cells} code cells)", "bold")
    failure = nbrun.execute(nb, kernel, timeout, notebook.resolve().parent)
    if output_path is not None:
        nbrun.write_notebook(nbrun.drop_widget_views(nb), output_path)
        output.line(f"wrote {output_path}", "dim")
    if failure is None:
        output.line(f"ok: every cell of {notebook} ran", "bold green")
    return failure, injected_at


def _cell_name(index: int, injected_at: int | None) -> str:
    """The failing cell as numbered (from 1) in the user's file, without our added cell."""
    if injected_at is not None and index == injected_at:
        return "the injected parameters cell"
    shift = 1 if injected_at is not None and index > injected_at else 0
    return f"cell {index + 1 - shift}"


def _report(where: str, failure: nbrun.CellFailure, output: Output) -> None:
    count = f" (In [{failure.execution_count}])" if failure.execution_count else ""
    output.line(f"{where}{count} {failure.reason}:", "bold red", stderr=True)
    lines = failure.source.splitlines()
    for line in lines[:5]:
        output.line(f"  | {line}", stderr=True)
    if len(lines) > 5:
        more = len(lines) - 5
        output.line(f"  | ... ({more} more line{'s' if more > 1 else ''})", "dim", stderr=True)
    if failure.traceback:
        output.line(failure.traceback, stderr=True)
