"""Descriptions of built-in functions and filters, shared by the parser and the evaluator.

The parser checks names and argument counts up front, so a typo in a sequence definition is
reported with its column when the expression is compiled, not when a branch first runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ._scope import Scope


@dataclass(frozen=True, slots=True)
class Function:
    """``impl(scope, args)``; ``signature`` is shown in arity errors and the docs."""

    signature: str
    min_args: int
    max_args: int
    impl: Callable[[Scope, Sequence[Any]], Any]


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """``impl(value, args)``: the value so far and the evaluated arguments."""

    signature: str
    min_args: int
    max_args: int
    impl: Callable[[Any, Sequence[Any]], Any]


def arity_text(min_args: int, max_args: int) -> str:
    if min_args == max_args:
        return f"{min_args} argument" + ("" if min_args == 1 else "s")
    return f"{min_args} to {max_args} arguments"
