"""Compiled expressions: the entry point for conditions (router, loop, when, retry_if, assert).

Parsing is cached by the expression text, including failures, so a broken condition inside
a loop costs one parse, and each evaluation is a call into prebuilt closures.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from orch8_nb.errors import ExpressionError

from ._compiler import Evaluator, compile_node
from ._fault import UNEXPECTED, public_error
from ._limits import CACHE_SIZE, MAX_CACHED_TEXT
from ._parser import parse
from ._scan import whole_span
from ._scope import Scope

_WHAT = "expression"


class CompiledExpression:
    """A parsed expression, reusable across scopes and threads (it holds no state)."""

    __slots__ = ("_run", "source")

    def __init__(self, source: str, run: Evaluator) -> None:
        self.source = source
        self._run = run

    def evaluate(self, scope: Scope, *, strict: bool = True) -> Any:
        """The value of the expression in ``scope``; lenient mode returns None on error."""
        try:
            return self._run(scope)
        except (ExpressionError, *UNEXPECTED) as exc:
            if strict:
                raise public_error(exc, self.source, _WHAT) from None
            return None

    def __repr__(self) -> str:
        return f"CompiledExpression({self.source!r})"


def _build(text: str) -> CompiledExpression | str:
    """The compiled expression, or the error message (so failures are cached too)."""
    try:
        stripped = text.strip()
        offset = len(text) - len(text.lstrip())
        span = whole_span(stripped)
        if span is not None:
            start, end = span[0] + offset, span[1] + offset
        else:
            start, end = 0, len(text)
        return CompiledExpression(text, compile_node(parse(text, start, end)))
    except RecursionError as exc:
        # depends on how deep the caller's stack is: report it, but never cache it
        raise public_error(exc, text, _WHAT) from None
    except (ExpressionError, *UNEXPECTED) as exc:
        return str(public_error(exc, text, _WHAT))


@lru_cache(maxsize=CACHE_SIZE)
def _cached(text: str) -> CompiledExpression | str:
    return _build(text)


def compile_expression(expression: str) -> CompiledExpression:
    """Parse ``expression`` (cached); an optional surrounding ``{{ }}`` is ignored."""
    if not isinstance(expression, str):
        raise ExpressionError(f"an expression must be a string, got {type(expression).__name__}")
    result = _cached(expression) if len(expression) <= MAX_CACHED_TEXT else _build(expression)
    if isinstance(result, str):
        raise ExpressionError(result)
    return result


def evaluate(expression: str, scope: Scope, *, strict: bool = True) -> Any:
    """Evaluate ``expression`` in ``scope``. Strict mode raises ``ExpressionError`` naming
    the problem and its column; lenient mode (``strict=False``) returns None instead."""
    try:
        compiled = compile_expression(expression)
    except ExpressionError:
        if strict:
            raise
        return None
    return compiled.evaluate(scope, strict=strict)
