"""Operators: arithmetic, comparison, equality, logic, membership, ternary, precedence."""

from __future__ import annotations

import re
from typing import Any

import pytest

from orch8_nb.expr import ExpressionError, Scope, evaluate

SCOPE = Scope(
    data={
        "n": 3,
        "f": 2.5,
        "s": "hello",
        "plan": "pro",
        "enterprise": "pro",
        "items": [1, 2, 3],
        "obj": {"k": 1},
        "empty": {},
        "none": None,
        "flag": True,
    }
)


def ev(text: str) -> Any:
    return evaluate(text, SCOPE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2", 3),
        ("5 - 7", -2),
        ("2 * 3", 6),
        ("7 / 2", 3.5),
        ("6 / 3", 2),
        ("1.5 + 1.5", 3.0),
        ("10 % 3", 1),
        ("-7 % 3", -1),
        ("7.5 % 2", 1.5),
        ("-n", -3),
        ("- -n", 3),
        ("n * f", 7.5),
        ("'a' + 'b'", "ab"),
        ("'n=' + n", "n=3"),
        ("n + '!'", "3!"),
        ("'x' + true", "xtrue"),
        ("'x' + null", "x"),
        ("'v' + 2.0", "v2"),
        ("[1] + [2, 3]", [1, 2, 3]),
        ("1 + 2 + 'a' + 1 + 2", "3a12"),
        ("9223372036854775807 + 1", 9.223372036854776e18),
        ("2 * 9223372036854775807", 1.8446744073709552e19),
    ],
)
def test_arithmetic(text: str, expected: Any) -> None:
    result = ev(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 / 0", "division by zero"),
        ("1 % 0", "modulo by zero"),
        ("1.0 / 0.0", "division by zero"),
        ("'a' - 1", "cannot apply '-'"),
        ("'a' * 2", "'*' needs numbers"),
        ("true + 1", "cannot apply '+'"),
        ("null + 1", "cannot apply '+'"),
        ("-'a'", "unary '-' needs a number"),
        ("'a' + [1]", "cannot add string and array"),
        ("[1] + 1", "cannot apply '+'"),
        ("'a' + 'b' - 1", "cannot subtract from a string"),
        ("1e308 * 10", "number out of range"),
    ],
)
def test_arithmetic_errors(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        ev(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 == 1.0", True),
        ("1 != 1.0", False),
        ("true == 1", False),
        ("'1' == 1", False),
        ("null == null", True),
        ("none == null", True),
        ("missing == null", True),
        ("[1, 2] == [1, 2.0]", True),
        ("[1, 2] == [2, 1]", False),
        ("obj == obj", True),
        ("obj == empty", False),
        ("plan == enterprise", True),
        ("plan == 'pro'", True),
        ("plan != 'free'", True),
        ("1 == 1 == true", True),
    ],
)
def test_equality(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 2.5", True),
        ("2 >= 3", False),
        ("'a' < 'b'", True),
        ("'b' >= 'a'", True),
        ("'B' < 'a'", True),
    ],
)
def test_ordering(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize("text", ["1 < 'a'", "null > 1", "true < false", "[1] < [2]", "n > none"])
def test_ordering_incompatible_types_is_an_error(text: str) -> None:
    with pytest.raises(ExpressionError, match="cannot compare"):
        ev(text)
    assert evaluate(text, SCOPE, strict=False) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true && false", False),
        ("true and true", True),
        ("false || true", True),
        ("false or false", False),
        ("!true", False),
        ("!0", True),
        ("!!'x'", True),
        ("not flag", False),
        ("not n == 3", False),
        ("!n == false", True),
        ("n && s", True),
        ("0 || ''", False),
        ("items && obj", True),
    ],
)
def test_logic(text: str, expected: bool) -> None:
    assert ev(text) is expected


def test_logic_short_circuits() -> None:
    assert ev("false && 1 / 0") is False
    assert ev("true || 1 / 0") is True
    assert ev("n > 1 ? 'big' : 1 / 0") == "big"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'ell' in s", True),
        ("'z' in s", False),
        ("2 in items", True),
        ("2.0 in items", True),
        ("5 in items", False),
        ("'k' in obj", True),
        ("'x' in obj", False),
        ("1 in obj", False),
        ("'a' in none", False),
        ("5 not in items", True),
        ("'k' not in obj", False),
    ],
)
def test_membership(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize("text", ["1 in s", "1 in 5", "'a' in true"])
def test_membership_errors(text: str) -> None:
    with pytest.raises(ExpressionError, match="'in'"):
        ev(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true ? 1 : 2", 1),
        ("0 ? 1 : 2", 2),
        ("n > 2 ? 'big' : 'small'", "big"),
        ("false ? 1 : true ? 2 : 3", 2),
        ("false ? 1 : false ? 2 : 3", 3),
        ("true ? false ? 1 : 2 : 3", 2),
        ("1 || 0 ? 'a' : 'b'", "a"),
    ],
)
def test_ternary(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("100 / 10 / 5", 2),
        ("2 * 3 % 4", 2),
        ("-2 * 3", -6),
        ("1 + 2 == 3", True),
        ("1 < 2 == true", True),
        ("true || false && false", True),
        ("(true || false) && false", False),
        ("not false && false", False),
        ("not (false && false)", True),
        ("1 + 1 in [2]", True),
        ("'a' + 'b' == 'ab' ? 1 : 0", 1),
        ("!false == true", True),
        ("-n + 10", 7),
    ],
)
def test_precedence(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_array_literals_and_indexing() -> None:
    assert ev("[1, 'a', null, [2]]") == [1, "a", None, [2]]
    assert ev("[]") == []
    assert ev("[1, 2, 3][1]") == 2
    assert ev("[1, 2, 3][-1]") == 3
    assert ev("(items)[0]") == 1
    with pytest.raises(ExpressionError, match="unexpected character"):
        ev("{'a': 1}")  # object literals are not part of the language


def test_array_literal_is_fresh_each_time() -> None:
    first = ev("[1, 2]")
    first.append(3)
    assert ev("[1, 2]") == [1, 2]
