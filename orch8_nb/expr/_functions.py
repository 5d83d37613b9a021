"""The function registry: name -> signature, arity and implementation.

Functions are pure except ``now``, ``random`` and ``uuid``, which call the callables the
engine put in the :class:`Scope` (so virtual clocks and recorded runs stay deterministic).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import _collections as col
from ._args import expect_number, expect_string
from ._builtin import Function
from ._dates import day_of_week, format_date
from ._fault import Fault
from ._limits import MAX_ARRAY_ELEMENTS
from ._operators import contains
from ._scope import Scope
from ._values import check_array, is_array, is_object, number, to_json, type_name


def _abs(scope: Scope, args: Sequence[Any]) -> int | float:
    return number(abs(expect_number(args[0], "abs() argument")))


def _len(scope: Scope, args: Sequence[Any]) -> int:
    value = args[0]
    if value is None:
        return 0
    if isinstance(value, str) or is_array(value) or is_object(value):
        return len(value)
    raise Fault(f"len() needs a string, array or object, got {type_name(value)}")


def _json(scope: Scope, args: Sequence[Any]) -> str:
    return to_json(args[0])


def _now(scope: Scope, args: Sequence[Any]) -> int:
    if scope.now_ms is None:
        raise Fault("now() is not available here")
    return scope.now_ms()


def _random(scope: Scope, args: Sequence[Any]) -> float:
    if scope.random is None:
        raise Fault("random() is not available here")
    return scope.random()


def _uuid(scope: Scope, args: Sequence[Any]) -> str:
    if scope.uuid is None:
        raise Fault("uuid() is not available here")
    return scope.uuid()


def _object(value: Any, what: str) -> Any:
    if value is not None and not is_object(value):
        raise Fault(f"{what} needs an object, got {type_name(value)}")
    if value is not None:
        check_array(len(value), what)
    return value


def _keys(scope: Scope, args: Sequence[Any]) -> list[Any]:
    value = _object(args[0], "keys()")
    return [] if value is None else list(value.keys())


def _values(scope: Scope, args: Sequence[Any]) -> list[Any]:
    value = _object(args[0], "values()")
    return [] if value is None else list(value.values())


def _contains(scope: Scope, args: Sequence[Any]) -> bool:
    return contains(args[0], args[1])


def _affix(args: Sequence[Any], what: str) -> tuple[str, str] | None:
    if args[0] is None:
        return None
    return expect_string(args[0], f"{what} text"), expect_string(args[1], f"{what} affix")


def _starts_with(scope: Scope, args: Sequence[Any]) -> bool:
    pair = _affix(args, "starts_with()")
    return pair is not None and pair[0].startswith(pair[1])


def _ends_with(scope: Scope, args: Sequence[Any]) -> bool:
    pair = _affix(args, "ends_with()")
    return pair is not None and pair[0].endswith(pair[1])


_VARIADIC = MAX_ARRAY_ELEMENTS  # "any number": sum(1, 2, 3) as well as sum([1, 2, 3])

FUNCTIONS: dict[str, Function] = {
    "abs": Function("abs(number)", 1, 1, _abs),
    "len": Function("len(string | array | object)", 1, 1, _len),
    "json": Function("json(value)", 1, 1, _json),
    "now": Function("now()", 0, 0, _now),
    "uuid": Function("uuid()", 0, 0, _uuid),
    "random": Function("random()", 0, 0, _random),
    "format_date": Function("format_date(ms_or_date[, format])", 1, 2, format_date),
    "day_of_week": Function("day_of_week(ms_or_date)", 1, 1, day_of_week),
    "keys": Function("keys(object)", 1, 1, _keys),
    "values": Function("values(object)", 1, 1, _values),
    "contains": Function("contains(haystack, needle)", 2, 2, _contains),
    "starts_with": Function("starts_with(text, prefix)", 2, 2, _starts_with),
    "ends_with": Function("ends_with(text, suffix)", 2, 2, _ends_with),
    "sum": Function("sum(array) or sum(n, ...)", 1, _VARIADIC, col.sum_),
    "avg": Function("avg(array) or avg(n, ...)", 1, _VARIADIC, col.avg),
    "min": Function("min(array) or min(x, ...)", 1, _VARIADIC, col.min_),
    "max": Function("max(array) or max(x, ...)", 1, _VARIADIC, col.max_),
    "first": Function("first(array | string)", 1, 1, col.first),
    "last": Function("last(array | string)", 1, 1, col.last),
    "slice": Function("slice(array | string, start[, end])", 2, 3, col.slice_),
    "sort": Function("sort(array[, field])", 1, 2, col.sort),
    "unique": Function("unique(array)", 1, 1, col.unique),
    "count": Function("count(array | string[, value])", 1, 2, col.count),
    "change_pct": Function("change_pct(old, new)", 2, 2, col.change_pct),
    "clamp": Function("clamp(value, low, high)", 3, 3, col.clamp),
}
