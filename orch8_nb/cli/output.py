"""Exit codes, the one error type commands raise, and the consoles they print to.

Every message goes through :class:`Output` with markup and wrapping off, so text taken
from users (a JSON path, a file name with brackets) prints as written and stays on one
line in CI logs.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import typer
from rich.console import Console, RenderableType

from orch8_nb.errors import InputValidationError

#: The run finished well, every check passed.
EXIT_OK = 0
#: The instance failed, a contract or a notebook cell failed, or the command hit an error.
EXIT_FAILED = 1
#: Bad input: usage, a missing or malformed file, an invalid sequence or config.
EXIT_USAGE = 2
#: The instance was cancelled.
EXIT_CANCELLED = 3
#: The instance is still waiting (an external worker, a timer) when ``run`` stopped.
EXIT_WAITING = 4
#: Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A problem to report as one line (plus ``details``) before exiting with ``code``."""

    def __init__(self, message: str, code: int = EXIT_USAGE, details: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = list(details)

    @classmethod
    def invalid(cls, what: str, err: InputValidationError) -> CliError:
        """``what`` is not valid: one detail line per problem, each with its JSON path."""
        count = len(err.problems)
        noun = "problem" if count == 1 else "problems"
        return cls(f"{what} ({count} {noun}):", EXIT_USAGE, [str(p) for p in err.problems])


@dataclass(frozen=True, slots=True)
class CliState:
    """Global options, kept on the click context."""

    debug: bool = False


class Output:
    """Where a command prints: results on stdout, diagnostics on stderr."""

    def __init__(self) -> None:
        # Built per command so the streams are the current ones (CliRunner swaps them).
        self.out = Console(soft_wrap=True, highlight=False)
        self.err = Console(stderr=True, soft_wrap=True, highlight=False)

    def line(self, text: str, style: str | None = None, *, stderr: bool = False) -> None:
        (self.err if stderr else self.out).print(text, style=style, markup=False)

    def show(self, renderable: RenderableType, *, stderr: bool = False) -> None:
        (self.err if stderr else self.out).print(renderable)

    def warn(self, text: str) -> None:
        self.err.print(f"warning: {text}", style="yellow", markup=False)

    def error(self, text: str, details: Iterable[str] = ()) -> None:
        self.err.print(f"error: {text}", style="bold red", markup=False)
        for detail in details:
            self.err.print(f"  {detail}", markup=False)


def debug_enabled(ctx: typer.Context) -> bool:
    state = ctx.find_root().obj
    return isinstance(state, CliState) and state.debug


@contextmanager
def reporting(ctx: typer.Context) -> Iterator[Output]:
    """Run a command body: a ``CliError`` becomes its message and exit code; any other
    exception one clean line and exit 1 (its traceback with ``--debug``)."""
    output = Output()
    try:
        yield output
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except CliError as err:
        output.error(err.message, err.details)
        raise typer.Exit(err.code) from None
    except KeyboardInterrupt:
        output.error("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if debug_enabled(ctx):
            traceback.print_exc(file=sys.stderr)
        else:
            output.error(f"{type(exc).__name__}: {exc}")
            output.line("(run with --debug for the traceback)", "dim", stderr=True)
        raise typer.Exit(EXIT_FAILED) from None
