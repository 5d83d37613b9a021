"""Operator semantics: arithmetic, comparison, membership.

JSON-flavoured rules: booleans are not numbers, ints stay within 64 bits (beyond that they
become floats), ``/`` of two ints that divide evenly stays an int, and ordering values of
different types is an error rather than a silent ``false``.
"""

from __future__ import annotations

import math
from typing import Any

from ._fault import Fault
from ._limits import MAX_STRING_BYTES
from ._values import (
    check_array,
    check_string,
    is_array,
    is_number,
    is_object,
    json_equal,
    number,
    to_text,
    type_name,
)


def _numbers(op: str, left: Any, right: Any) -> tuple[int | float, int | float]:
    if not (is_number(left) and is_number(right)):
        raise Fault(f"'{op}' needs numbers, got {type_name(left)} and {type_name(right)}")
    return number(left), number(right)


def multiply(op: str, left: Any, right: Any) -> int | float:
    """``*``, ``/`` and ``%``; dividing by zero is an error, never infinity."""
    a, b = _numbers(op, left, right)
    if op == "*":
        return number(a * b)
    if b == 0:
        raise Fault("division by zero" if op == "/" else "modulo by zero")
    if op == "/":
        return divide(a, b)
    if isinstance(a, int) and isinstance(b, int):
        remainder = abs(a) % abs(b)  # sign follows the dividend, as in Rust and JavaScript
        return remainder if a >= 0 else -remainder
    return number(math.fmod(a, b))


def divide(a: int | float, b: int | float) -> int | float:
    """True division that keeps exact integer quotients as ints (6 / 3 is 3, 7 / 2 is 3.5)."""
    if isinstance(a, int) and isinstance(b, int) and a % b == 0:
        return number(a // b)
    return number(a / b)


def negate(value: Any) -> int | float:
    if not is_number(value):
        raise Fault(f"unary '-' needs a number, got {type_name(value)}")
    return number(-number(value))


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float)


class Adder:
    """Left-to-right ``+``/``-`` over a chain that builds strings and arrays in one pass.

    Repeated ``acc + x`` on a large string would copy it once per term; collecting parts
    keeps a long chain linear and lets the size cap trip before memory is spent.
    """

    __slots__ = ("parts", "size", "value")

    def __init__(self, first: Any) -> None:
        self.value: Any = first
        self.parts: list[Any] | None = None  # str pieces, or array items, once building
        self.size = 0

    def apply(self, op: str, right: Any) -> None:
        if self.parts is not None:
            self._extend(op, right)
            return
        left = self.value
        if op == "+" and (
            isinstance(left, str) or isinstance(right, str) or (is_array(left) and is_array(right))
        ):
            self._start(left, right)
        elif is_number(left) and is_number(right):
            a, b = number(left), number(right)
            self.value = number(a + b if op == "+" else a - b)
        else:
            raise Fault(f"cannot apply '{op}' to {type_name(left)} and {type_name(right)}")

    def _start(self, left: Any, right: Any) -> None:
        if isinstance(left, str) or isinstance(right, str):
            if not (_is_scalar(left) and _is_scalar(right)):
                raise Fault(f"cannot add {type_name(left)} and {type_name(right)}")
            self.value = ""
            self.parts = []
            self._add_text(to_text(left))
            self._add_text(to_text(right))
        elif is_array(left) and is_array(right):
            self.value = []
            self.parts = list(left)
            self._add_items(right)
        else:
            raise Fault(f"cannot add {type_name(left)} and {type_name(right)}")

    def _extend(self, op: str, right: Any) -> None:
        building_text = isinstance(self.value, str)
        if op == "-":
            raise Fault(f"cannot subtract from {'a string' if building_text else 'an array'}")
        if building_text and _is_scalar(right):
            self._add_text(to_text(right))
        elif not building_text and is_array(right):
            self._add_items(right)
        else:
            kind = "string" if building_text else "array"
            raise Fault(f"cannot add {kind} and {type_name(right)}")

    def _add_text(self, piece: str) -> None:
        assert self.parts is not None
        self.parts.append(piece)
        self.size += len(piece)
        if self.size > MAX_STRING_BYTES:
            raise Fault(f"'+' result is larger than {MAX_STRING_BYTES // (1024 * 1024)} MiB")

    def _add_items(self, items: Any) -> None:
        assert self.parts is not None
        check_array(len(self.parts) + len(items), "'+'")
        self.parts.extend(items)

    def result(self) -> Any:
        if self.parts is None:
            return self.value
        if isinstance(self.value, str):
            return check_string("".join(self.parts), "'+'")
        return self.parts


def compare(op: str, left: Any, right: Any) -> bool:
    """``< <= > >=`` between two numbers or two strings; anything else is an error."""
    if is_number(left) and is_number(right):
        pass
    elif not (isinstance(left, str) and isinstance(right, str)):
        raise Fault(f"cannot compare {type_name(left)} with {type_name(right)} using '{op}'")
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def contains(container: Any, item: Any) -> bool:
    """``item in container``: substring, array element (JSON equality) or object key."""
    if container is None:
        return False
    if isinstance(container, str):
        if not isinstance(item, str):
            raise Fault(f"'in' a string needs a string on the left, got {type_name(item)}")
        return item in container
    if is_array(container):
        check_array(len(container), "'in'")
        return any(json_equal(item, element) for element in container)
    if is_object(container):
        return isinstance(item, str) and item in container
    raise Fault(f"'in' needs a string, array or object on the right, got {type_name(container)}")


def equal(left: Any, right: Any) -> bool:
    return json_equal(left, right)
