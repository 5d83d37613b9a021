"""Array and number functions: aggregates, slicing, sorting, ``change_pct``, ``clamp``.

Every function that walks an array refuses more than MAX_ARRAY_ELEMENTS elements, so a
condition over a huge output cannot stall the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._args import expect_array, expect_int, expect_number, expect_string, values_of
from ._fault import Fault
from ._operators import divide
from ._scope import Scope
from ._values import (
    hash_key,
    is_number,
    is_object,
    json_equal,
    number,
    type_name,
)


def _sum_numbers(items: Sequence[Any], what: str) -> int | float:
    total: int | float = 0
    for item in items:
        total = number(total + number(expect_number(item, f"{what} element")))
    return total


def sum_(scope: Scope, args: Sequence[Any]) -> int | float:
    return _sum_numbers(values_of(args, "sum()"), "sum()")


def avg(scope: Scope, args: Sequence[Any]) -> int | float | None:
    items = values_of(args, "avg()")
    if not items:
        return None
    return divide(_sum_numbers(items, "avg()"), len(items))


def _orderable(items: Sequence[Any], what: str) -> None:
    """All numbers or all strings: mixed types have no order."""
    if all(is_number(item) for item in items) or all(isinstance(item, str) for item in items):
        return
    kinds = sorted({type_name(item) for item in items})
    raise Fault(f"{what} needs all numbers or all strings, got {', '.join(kinds)}")


def min_(scope: Scope, args: Sequence[Any]) -> Any:
    items = values_of(args, "min()")
    if not items:
        return None
    _orderable(items, "min()")
    return min(items)


def max_(scope: Scope, args: Sequence[Any]) -> Any:
    items = values_of(args, "max()")
    if not items:
        return None
    _orderable(items, "max()")
    return max(items)


def _sequence(value: Any, what: str) -> Sequence[Any] | str | None:
    if value is None or isinstance(value, str):
        return value
    return expect_array(value, what)


def first(scope: Scope, args: Sequence[Any]) -> Any:
    items = _sequence(args[0], "first() argument")
    return items[0] if items else None


def last(scope: Scope, args: Sequence[Any]) -> Any:
    items = _sequence(args[0], "last() argument")
    return items[-1] if items else None


def slice_(scope: Scope, args: Sequence[Any]) -> Any:
    """Python-style bounds: negative counts from the end, out of range is clamped."""
    items = _sequence(args[0], "slice() argument")
    start = expect_int(args[1], "slice() start")
    end = expect_int(args[2], "slice() end") if len(args) > 2 and args[2] is not None else None
    if items is None:
        return None
    part = items[start:end]
    return part if isinstance(part, str) else list(part)


def sort(scope: Scope, args: Sequence[Any]) -> list[Any]:
    """``sort(array)`` or ``sort(array_of_objects, "field")``; stable, ascending."""
    items = expect_array(args[0], "sort() argument")
    if len(args) < 2:
        _orderable(items, "sort()")
        return sorted(items)
    field = expect_string(args[1], "sort() field")
    keys: list[Any] = []
    for item in items:
        if not is_object(item):
            raise Fault(f"sort() by field needs an array of objects, got {type_name(item)}")
        keys.append(item.get(field))
    _orderable(keys, f"sort() field '{field}'")
    order = sorted(range(len(items)), key=keys.__getitem__)
    return [items[i] for i in order]


def unique(scope: Scope, args: Sequence[Any]) -> list[Any]:
    """First occurrence wins; values compare as JSON (1 and 1.0 are the same)."""
    items = expect_array(args[0], "unique() argument")
    seen: set[Any] = set()
    kept: list[Any] = []
    for item in items:
        key = hash_key(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def count(scope: Scope, args: Sequence[Any]) -> int:
    """``count(x)`` is the length; ``count(x, v)`` counts elements equal to ``v`` (or
    non-overlapping occurrences of a substring)."""
    value = args[0]
    if value is None:
        return 0
    if len(args) == 1:
        if isinstance(value, str) or is_object(value):
            return len(value)
        return len(expect_array(value, "count() argument"))
    needle = args[1]
    if isinstance(value, str):
        text = expect_string(needle, "count() substring")
        if not text:
            raise Fault("count() substring must not be empty")
        return value.count(text)
    items = expect_array(value, "count() argument")
    return sum(1 for item in items if json_equal(item, needle))


def change_pct(scope: Scope, args: Sequence[Any]) -> int | float:
    """Percentage change from ``old`` to ``new``: (new - old) * 100 / |old|."""
    old = number(expect_number(args[0], "change_pct() old"))
    new = number(expect_number(args[1], "change_pct() new"))
    if old == 0:
        raise Fault("change_pct() is undefined when the old value is 0")
    return divide(number((new - old) * 100), number(abs(old)))


def clamp(scope: Scope, args: Sequence[Any]) -> int | float:
    value = number(expect_number(args[0], "clamp() value"))
    low = number(expect_number(args[1], "clamp() low"))
    high = number(expect_number(args[2], "clamp() high"))
    if low > high:
        raise Fault(f"clamp() low {low!r} is greater than high {high!r}")
    return min(max(value, low), high)
