"""The ``orch8-nb`` command: ``init``, ``run``, ``validate``, ``test``, ``serve``,
``notebooks run``.

Exit codes are shared by every command (see ``orch8_nb.cli.output``): 0 ok, 1 failed,
2 bad input, 3 cancelled, 4 still waiting.
"""

from __future__ import annotations

from typing import Annotated

import typer

from orch8_nb.cli import contracts, init, notebooks, run, serve, validate
from orch8_nb.cli.output import CliState

app = typer.Typer(
    name="orch8-nb",
    help="orch8-nb: durable workflows in Python and Jupyter, speaking Orch8's sequence format.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("init", epilog=init.EPILOG)(init.init)
app.command("run", epilog=run.EPILOG)(run.run)
app.command("validate", epilog=validate.EPILOG)(validate.validate)
app.command("test", epilog=contracts.EPILOG)(contracts.run_contracts)
app.command("serve", epilog=serve.EPILOG)(serve.serve)
app.add_typer(notebooks.app)


def _version(value: bool) -> None:
    if value:
        from orch8_nb import __version__

        typer.echo(f"orch8-nb {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="ORCH8_NB_DEBUG", help="Show Python tracebacks on errors."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = CliState(debug=debug)


def main() -> None:
    """Entry point of the ``orch8-nb`` script."""
    app()


__all__ = ["app", "main"]
