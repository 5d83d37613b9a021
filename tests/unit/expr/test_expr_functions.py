"""Every built-in function, with concrete values, edge cases and errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from orch8_nb.expr import ExpressionError, Scope, evaluate

SCOPE = Scope(
    data={
        "nums": [3, 1, 2],
        "words": ["b", "a", "c"],
        "obj": {"a": 1, "b": 2},
        "people": [{"name": "bo", "age": 30}, {"name": "al", "age": 25}],
        "text": "banana",
        "ms": 1_704_067_200_000,  # 2024-01-01T00:00:00Z, a Monday
    },
    now_ms=lambda: 1_700_000_000_123,
    random=lambda: 0.25,
    uuid=lambda: "00000000-0000-4000-8000-000000000000",
)


def ev(text: str) -> Any:
    return evaluate(text, SCOPE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abs(-3)", 3),
        ("abs(2.5)", 2.5),
        ("abs(-9223372036854775808)", 9.223372036854776e18),
        ("len('héllo')", 5),
        ("len(nums)", 3),
        ("len(obj)", 2),
        ("len(null)", 0),
        ("len(missing)", 0),
        ("json(obj)", '{"a":1,"b":2}'),
        ("json('x')", '"x"'),
        ("json(null)", "null"),
        ("json([1, 2.5, true])", "[1,2.5,true]"),
        ("json('é')", '"é"'),
        ("now()", 1_700_000_000_123),
        ("random()", 0.25),
        ("uuid()", "00000000-0000-4000-8000-000000000000"),
        ("keys(obj)", ["a", "b"]),
        ("values(obj)", [1, 2]),
        ("keys(null)", []),
        ("values(missing)", []),
        ("contains(text, 'nan')", True),
        ("contains(nums, 2)", True),
        ("contains(nums, 9)", False),
        ("contains(obj, 'a')", True),
        ("contains(null, 'a')", False),
        ("starts_with(text, 'ban')", True),
        ("starts_with(text, 'nan')", False),
        ("ends_with(text, 'ana')", True),
        ("ends_with(null, 'x')", False),
    ],
)
def test_basic_functions(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sum(nums)", 6),
        ("sum([1.5, 2])", 3.5),
        ("sum([])", 0),
        ("sum(1, 2, 3)", 6),
        ("avg(nums)", 2),
        ("avg([1, 2])", 1.5),
        ("avg([])", None),
        ("avg(2, 4)", 3),
        ("min(nums)", 1),
        ("max(nums)", 3),
        ("min(4, 2.5)", 2.5),
        ("max(words)", "c"),
        ("min([])", None),
        ("max(7)", 7),
        ("first(nums)", 3),
        ("last(nums)", 2),
        ("first([])", None),
        ("first('abc')", "a"),
        ("last('abc')", "c"),
        ("last(null)", None),
        ("slice(nums, 1)", [1, 2]),
        ("slice(nums, 0, 2)", [3, 1]),
        ("slice(nums, -2)", [1, 2]),
        ("slice(nums, 5)", []),
        ("slice('hello', 1, -1)", "ell"),
        ("slice('hello', 1, null)", "ello"),
        ("slice(null, 1)", None),
        ("sort(nums)", [1, 2, 3]),
        ("sort(words)", ["a", "b", "c"]),
        ("sort([])", []),
        ("sort(people, 'age')[0].name", "al"),
        ("sort(people, 'name')[1].name", "bo"),
        ("unique([1, 2, 1, 1.0, 'a', 'a', [1], [1.0]])", [1, 2, "a", [1]]),
        ("count(nums)", 3),
        ("count(nums, 2)", 1),
        ("count([1, 1.0, '1'], 1)", 2),
        ("count(text, 'an')", 2),
        ("count('abc')", 3),
        ("count(obj)", 2),
        ("count(null)", 0),
        ("change_pct(100, 110)", 10),
        ("change_pct(200, 150)", -25),
        ("change_pct(-50, -25)", 50),
        ("change_pct(3, 4)", 33.333333333333336),
        ("clamp(5, 0, 3)", 3),
        ("clamp(-1, 0, 3)", 0),
        ("clamp(2.5, 0, 3)", 2.5),
    ],
)
def test_collection_functions(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_unique_compares_objects_as_json() -> None:
    scope = Scope(data={"xs": [{"a": 1, "b": 2}, {"b": 2, "a": 1.0}, {"a": 2}]})
    assert evaluate("unique(xs)", scope) == [{"a": 1, "b": 2}, {"a": 2}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("format_date(ms)", "2024-01-01"),
        ("format_date(0, '%Y-%m-%dT%H:%M:%SZ')", "1970-01-01T00:00:00Z"),
        ("format_date(ms, '%A %a %B %b %d %e')", "Monday Mon January Jan 01  1"),
        ("format_date(ms + 13 * 3600000 + 5 * 60000 + 7000, '%I:%M:%S %p %H')", "01:05:07 PM 13"),
        ("format_date(ms, '%j %u %w %y %%')", "001 1 1 24 %"),
        ("format_date(ms, '%F %T %z %Z %s')", "2024-01-01 00:00:00 +0000 UTC 1704067200"),
        ("format_date(1500, '%S.%f')", "01.500000"),
        ("format_date('2024-03-05T10:20:30+02:00', '%H:%M %z %Z')", "10:20 +0200 +02:00"),
        ("format_date('2024-03-05T10:20:30Z', '%F')", "2024-03-05"),
        ("format_date('2024-03-05', '%d/%m/%Y')", "05/03/2024"),
        ("format_date(-86400000)", "1969-12-31"),
        ("day_of_week(ms)", 0),
        ("day_of_week('2024-01-07')", 6),
        ("day_of_week('2024-01-06T23:30:00-02:00')", 5),
        ("day_of_week(ms + 86400000 * 3)", 3),
    ],
)
def test_date_functions(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abs('x')", "abs() argument must be a number, got string"),
        ("len(5)", "len() needs a string, array or object, got number"),
        ("keys(nums)", "keys() needs an object, got array"),
        ("starts_with(5, 'a')", "starts_with() text must be a string"),
        ("sum(['a'])", "sum() element must be a number, got string"),
        ("sum([true])", "sum() element must be a number, got boolean"),
        ("min([1, 'a'])", "min() needs all numbers or all strings"),
        ("sort([1, 'a'])", "sort() needs all numbers or all strings"),
        ("sort([null, 1])", "sort() needs all numbers or all strings"),
        ("sort(nums, 'age')", "sort() by field needs an array of objects"),
        ("sort(5)", "sort() argument must be an array, got number"),
        ("first(5)", "first() argument must be an array"),
        ("slice(nums, 'a')", "slice() start must be a whole number"),
        ("slice(nums, 1.5)", "slice() start must be a whole number, got number 1.5"),
        ("count(text, '')", "count() substring must not be empty"),
        ("count(text, 1)", "count() substring must be a string"),
        ("change_pct(0, 5)", "change_pct() is undefined when the old value is 0"),
        ("clamp(1, 3, 2)", "clamp() low 3 is greater than high 2"),
        ("format_date(ms, '%Q')", "unsupported directive '%Q'"),
        ("format_date(ms, 'abc%')", "unsupported directive a trailing '%'"),
        ("format_date('yesterday')", "'yesterday' is not an RFC 3339 date-time"),
        ("format_date(1e300)", "out of the supported date range"),
        ("format_date(true)", "needs epoch milliseconds or a date string"),
        ("day_of_week(null)", "needs epoch milliseconds or a date string, got null"),
        ("unique(5)", "unique() argument must be an array"),
    ],
)
def test_function_errors(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        ev(text)


def test_error_names_the_call_column() -> None:
    with pytest.raises(ExpressionError, match="at column 5 "):
        ev("1 + abs('x')")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nope(1)", "unknown function 'nope'"),
        ("abs()", "function 'abs' takes 1 argument (abs(number)), got 0"),
        ("now(1)", "function 'now' takes 0 arguments (now()), got 1"),
        ("slice([1])", "function 'slice' takes 2 to 3 arguments"),
        ("clamp(1, 2)", "function 'clamp' takes 3 arguments"),
    ],
)
def test_unknown_functions_and_arity_fail_at_compile_time(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        evaluate(text, Scope())


@pytest.mark.parametrize("name", ["now", "random", "uuid"])
def test_non_deterministic_functions_need_the_scope(name: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(f"{name}() is not available here")):
        evaluate(f"{name}()", Scope())
    assert evaluate(f"{name}()", Scope(), strict=False) is None


def test_array_functions_cap_their_input() -> None:
    scope = Scope(data={"big": list(range(100_001)), "ok": list(range(100_000))})
    assert evaluate("sum(ok)", scope) == sum(range(100_000))
    for text in ["sum(big)", "sort(big)", "unique(big)", "count(big, 1)", "max(big)", "2 in big"]:
        with pytest.raises(ExpressionError, match="limited to 100,000 elements"):
            evaluate(text, scope)
    assert evaluate("len(big)", scope) == 100_001


def test_sum_of_huge_values_becomes_float_not_bigint() -> None:
    scope = Scope(data={"xs": [2**62, 2**62, 2**62]})
    assert evaluate("sum(xs)", scope) == pytest.approx(3 * 2**62)
    assert isinstance(evaluate("sum(xs)", scope), float)
