"""Internal error plumbing: faults carry a position until they reach the public API.

Helpers deep inside functions and filters do not know where they were called from, so they
raise a :class:`Fault` without a position; the evaluator fills in the column of the call or
operator, and the public entry points turn it into one readable :class:`ExpressionError`.
"""

from __future__ import annotations

from orch8_nb.errors import ExpressionError

_SNIPPET_CHARS = 120

# Python errors that a bug or a hostile value could still raise inside evaluation; the public
# API converts them instead of leaking them (the engine must only ever see ExpressionError).
UNEXPECTED = (TypeError, ValueError, LookupError, ArithmeticError, RecursionError, AttributeError)


class Fault(ExpressionError):
    """An expression problem whose position may not be known yet (0-based offset)."""

    def __init__(self, message: str, pos: int | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.hint = hint


def snippet(source: str) -> str:
    """The source, shortened so an error message stays readable."""
    if len(source) <= _SNIPPET_CHARS:
        return source
    return source[: _SNIPPET_CHARS - 3] + "..."


def public_error(exc: BaseException, source: str, what: str) -> ExpressionError:
    """Build the error the caller sees: problem, column (1-based) and the text it came from."""
    if isinstance(exc, Fault):
        where = f" at column {exc.pos + 1}" if exc.pos is not None else ""
        hint = f"; {exc.hint}" if exc.hint else ""
        return ExpressionError(f"{exc.message}{where} (in {what} {snippet(source)!r}){hint}")
    if isinstance(exc, ExpressionError):
        return exc
    if isinstance(exc, RecursionError):
        return ExpressionError(f"{what} or value nested too deeply: {snippet(source)!r}")
    return ExpressionError(
        f"cannot evaluate {what} {snippet(source)!r}: {type(exc).__name__}: {exc}"
    )
