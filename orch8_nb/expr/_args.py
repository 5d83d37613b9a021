"""Argument checks shared by functions and filters, with messages naming the argument."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._fault import Fault
from ._values import check_array, is_array, is_number, type_name


def expect_number(value: Any, what: str) -> int | float:
    if not is_number(value):
        raise Fault(f"{what} must be a number, got {type_name(value)}")
    number: int | float = value
    return number


def expect_int(value: Any, what: str) -> int:
    """Whole numbers only; ``2.0`` is accepted as 2 because JSON does not tell them apart."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not is_number(value) or isinstance(value, float):
        shown = f" {value!r}" if isinstance(value, float) else ""
        raise Fault(f"{what} must be a whole number, got {type_name(value)}{shown}")
    whole: int = value
    return whole


def expect_string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise Fault(f"{what} must be a string, got {type_name(value)}")
    return value


def expect_array(value: Any, what: str) -> Sequence[Any]:
    """An array within MAX_ARRAY_ELEMENTS (array functions refuse bigger inputs)."""
    if not is_array(value):
        raise Fault(f"{what} must be an array, got {type_name(value)}")
    items: Sequence[Any] = value
    check_array(len(items), what)
    return items


def values_of(args: Sequence[Any], what: str) -> Sequence[Any]:
    """``f([1, 2, 3])`` and ``f(1, 2, 3)`` both mean the three values."""
    if len(args) == 1 and is_array(args[0]):
        return expect_array(args[0], what)
    return args
