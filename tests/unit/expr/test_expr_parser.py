"""Lexer and parser: literals, escapes, tokens, syntax errors with columns."""

from __future__ import annotations

import re
from typing import Any

import pytest

from orch8_nb.expr import ExpressionError, Scope, evaluate


def ev(text: str, **data: Any) -> Any:
    return evaluate(text, Scope(data=data))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        ("0", 0),
        ("3.25", 3.25),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
        ("9223372036854775807", 9223372036854775807),
        ("9223372036854775808", 9.223372036854776e18),
        ("123456789012345678901234567890", 1.2345678901234568e29),
        ("-9223372036854775807", -9223372036854775807),
        ("true", True),
        ("false", False),
        ("null", None),
        ("'single'", "single"),
        ('"double"', "double"),
        ("'it\\'s'", "it's"),
        ('"say \\"hi\\""', 'say "hi"'),
        ("'a\\nb\\tc\\rd'", "a\nb\tc\rd"),
        ("'\\\\'", "\\"),
        ("'\\/'", "/"),
        ("'\\u00e9\\u2603'", "é☃"),
        ("'\"'", '"'),
        ('"\'"', "'"),
        ("'multi\nline'", "multi\nline"),
        ("''", ""),
        ("  \t\n 1 \r\n", 1),
    ],
)
def test_literals(text: str, expected: Any) -> None:
    result = ev(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("'abc", "unterminated string at column 1"),
        ("1 + 'abc", "unterminated string at column 5"),
        ("'\\q'", "unknown escape '\\q' in string at column 2"),
        ("'\\u12'", "'\\u' needs four hex digits at column 2"),
        ("'abc\\", "unterminated string at column 1"),
        ("1e999", "number '1e999' is out of range at column 1"),
        ("a = 1", "unexpected character '=' (use '==' to compare) at column 3"),
        ("a & b", "unexpected character '&' (use '&&' (or 'and')) at column 3"),
        ("a # b", "unexpected character '#' at column 3"),
        ("é", "unexpected character 'é' at column 1"),
        ("1 +", "unexpected end of expression at column 4"),
        ("(1 + 2", "expected ')' but found end of expression at column 7"),
        ("1 + 2)", "unexpected ')' at column 6"),
        ("[1, 2", "expected ']' but found end of expression at column 6"),
        ("abs(1", "expected ')' but found end of expression at column 6"),
        ("1 2", "unexpected number 2 at column 3"),
        ("a b", "unexpected name 'b' at column 3"),
        ("true ? 1", "expected ':' but found end of expression at column 9"),
        ("a.", "expected a name after '.' but found end of expression at column 3"),
        ("a.'x'", "expected a name after '.' but found string at column 3"),
        ("a[]", "unexpected ']' at column 3"),
        ("a not b", "expected 'in' but found name 'b' at column 7"),
        ("* 2", "unexpected '*' at column 1"),
        ("+1", "unexpected '+' at column 1"),
        ("1 ||", "unexpected end of expression at column 5"),
        ("a and", "unexpected end of expression at column 6"),
        ("x | upper(", "unexpected end of expression at column 11"),
        ("(1 | 2)", "expected ')' but found '|' at column 4"),
        ("{{ 1 }", "unexpected character '{' (placeholders cannot be nested) at column 1"),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        ev(text)


def test_member_names_after_dot() -> None:
    data = {"a": {"1st": 1, "x_2": 2, "items": [5, 6]}}
    assert ev("a.1st", **data) == 1
    assert ev("a.x_2", **data) == 2
    assert ev("a.items.1", **data) == 6
    assert ev("a . items . 0", **data) == 5
    # in expressions a hyphen after a member is subtraction
    assert ev("a.x_2-a.1st", **data) == 1


def test_keyword_aliases() -> None:
    assert ev("true and not false or false") is True
    assert ev("1 in [1] and 2 not in [1]") is True


def test_float_member_index_is_not_a_float() -> None:
    # 'items.0.1' reads items[0][1], never the float 0.1
    assert ev("items.0.1", items=[[7, 8]]) == 8
