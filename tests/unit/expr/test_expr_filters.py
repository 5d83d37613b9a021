"""Template filters and fallback chains."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest

from orch8_nb.expr import ExpressionError, Scope, evaluate, render_template

SCOPE = Scope(
    data={"name": "  Ada Lovelace ", "n": -3.14159, "tags": ["a", "b", 3], "csv": "x,y,,z"},
    outputs={"a": {"name": "bob", "none": None, "count": 2}},
)


def tpl(inner: str) -> Any:
    return render_template("{{ " + inner + " }}", SCOPE)


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        ("'Hello' | upper", "HELLO"),
        ("'Hello' | lower", "hello"),
        ("context.data.name | trim", "Ada Lovelace"),
        ("context.data.name | trim | upper", "ADA LOVELACE"),
        ("context.data.n | abs", 3.14159),
        ("-5 | abs", 5),
        ("'a b&c/d' | url_encode", "a%20b%26c%2Fd"),
        ("'é' | url_encode", "%C3%A9"),
        ("'hi there' | base64", "aGkgdGhlcmU="),
        ("'aGkgdGhlcmU=' | base64_decode", "hi there"),
        ("'aGkgdGhlcmU' | base64_decode", "hi there"),
        ("'w6k=' | base64_decode", "é"),
        ("'a-b-c' | replace('-', '+')", "a+b+c"),
        ("'aaa' | replace('a', '')", ""),
        ("outputs.a.none | default('x')", "x"),
        ("outputs.a.name | default('x')", "bob"),
        ("outputs.a.count | default(0)", 2),
        ("'abcdef' | truncate(3)", "abc..."),
        ("'abcdef' | truncate(3, '…')", "abc…"),
        ("'abcdef' | truncate(3, '')", "abc"),
        ("'abc' | truncate(3)", "abc"),
        ("'abc' | truncate(0)", "..."),
        ("context.data.tags | join", "a,b,3"),
        ("context.data.tags | join(' / ')", "a / b / 3"),
        ("context.data.csv | split", ["x", "y", "", "z"]),
        ("'a b' | split(' ')", ["a", "b"]),
        ("'abc' | split('')", ["a", "b", "c"]),
        ("context.data.csv | split | join('|')", "x|y||z"),
        ("'abc' | hash", hashlib.sha256(b"abc").hexdigest()),
        ("'abc' | hash('sha1')", hashlib.sha1(b"abc").hexdigest()),
        ("'abc' | hash(md5)", hashlib.md5(b"abc").hexdigest()),
        ("'abc' | hash(sha512)", hashlib.sha512(b"abc").hexdigest()),
        ("'abc' | hash('SHA256')", hashlib.sha256(b"abc").hexdigest()),
        ("outputs.a | hash", hashlib.sha256(b'{"name":"bob","none":null,"count":2}').hexdigest()),
        ("context.data.n | round", -3),
        ("context.data.n | round(2)", -3.14),
        ("2.5 | round", 3),
        ("-2.5 | round", -3),
        ("0.125 | round(2)", 0.13),
        ("7 | round(2)", 7),
        ("12 | upper", "12"),
        ("true | upper", "TRUE"),
    ],
)
def test_filters(inner: str, expected: Any) -> None:
    assert tpl(inner) == expected


@pytest.mark.parametrize(
    "name",
    ["upper", "lower", "trim", "abs", "url_encode", "base64", "base64_decode", "round", "hash"],
)
def test_filters_pass_null_through(name: str) -> None:
    assert tpl(f"outputs.a.none | {name}") is None
    assert tpl(f"outputs.a.none | {name} | 'fallback'") == "fallback"


@pytest.mark.parametrize(
    ("inner", "message"),
    [
        ("outputs.a | upper", "filter 'upper' needs a string, got object"),
        ("'x' | abs", "filter 'abs' input must be a number, got string"),
        ("'!!' | base64_decode", "input is not base64-encoded UTF-8 text"),
        ("'/w==' | base64_decode", "input is not base64-encoded UTF-8 text"),
        ("'x' | hash('crc32')", "unknown algorithm 'crc32'"),
        ("'x' | truncate(-1)", "length must not be negative"),
        ("'x' | truncate('a')", "filter 'truncate' length must be a whole number"),
        ("'x' | join", "filter 'join' input must be an array, got string"),
        ("1.5 | round(16)", "places must be between 0 and 15"),
        ("'x' | upper(1)", "filter 'upper' takes 0 arguments (upper), got 1"),
        ("'x' | replace('a')", "filter 'replace' takes 2 arguments (replace(old, new)), got 1"),
        ("'x' | default", "filter 'default' takes 1 argument"),
        ("'x' | upper() 1", "unexpected number 1 after filter 'upper'"),
    ],
)
def test_filter_errors(inner: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        tpl(inner)


def test_fallback_chain() -> None:
    scope = Scope(data={"name": None, "nick": "dee"}, outputs={"a": {}})
    chain = "{{ outputs.a.name | context.data.name | 'anon' | upper }}"
    assert render_template(chain, scope) == "ANON"
    assert render_template("{{ outputs.a.name | context.data.nick | 'anon' }}", scope) == "dee"
    assert render_template("{{ outputs.a.name | context.data.name }}", scope) is None
    assert render_template("{{ outputs.a.name | 0 }}", scope) == 0
    # a fallback is not consulted once a value exists, even a falsy one
    assert render_template("{{ context.data.nick | 1 / 0 }}", scope) == "dee"
    assert render_template("{{ '' | 'x' }}", scope) == ""
    assert render_template("{{ false | 'x' }}", scope) is False


def test_logical_or_is_not_a_chain_separator() -> None:
    scope = Scope(data={"a": None, "b": 0})
    assert render_template("{{ context.data.a || context.data.b }}", scope) is False
    assert render_template("{{ context.data.a || true | 'x' }}", scope) is True


def test_filter_arguments_are_expressions() -> None:
    scope = Scope(data={"sep": "::", "fallback": "fb"})
    assert render_template("{{ ['a', 'b'] | join(context.data.sep) }}", scope) == "a::b"
    assert render_template("{{ null | default(context.data.fallback + '!') }}", scope) == "fb!"


def test_filter_results_are_capped() -> None:
    big = "a" * (2 * 1024 * 1024)
    scope = Scope(
        data={
            "big": big,
            "sp": " " * 2_000_000,
            "parts": [big, big, big],
            "b3": "a" * (7 * 512 * 1024),
        }
    )
    with pytest.raises(ExpressionError, match="larger than 4 MiB"):
        render_template("{{ context.data.big | replace('a', 'aaa') }}", scope)
    with pytest.raises(ExpressionError, match="larger than 4 MiB"):
        render_template("{{ context.data.parts | join }}", scope)
    with pytest.raises(ExpressionError, match="larger than 4 MiB"):
        render_template("{{ context.data.b3 | base64 }}", scope)
    with pytest.raises(ExpressionError, match="larger than 4 MiB"):
        render_template("{{ context.data.sp | url_encode }}", scope)
    with pytest.raises(ExpressionError, match="limited to 100,000 elements"):
        render_template("{{ context.data.big | split('') }}", scope)
    assert render_template("{{ context.data.big | upper }}", scope) == big.upper()


def test_base64_round_trip_of_unicode() -> None:
    text = "naïve ☃"
    encoded = base64.b64encode(text.encode()).decode()
    scope = Scope(data={"t": text})
    assert render_template("{{ context.data.t | base64 }}", scope) == encoded
    assert render_template("{{ context.data.t | base64 | base64_decode }}", scope) == text


def test_pipelines_also_work_in_expressions() -> None:
    scope = Scope(data={"name": None})
    assert evaluate("name | 'anon' | upper", scope) == "ANON"
    assert evaluate("{{ name | 'anon' }}", scope) == "anon"


def test_filter_name_followed_by_a_path_is_a_fallback() -> None:
    # 'upper' not followed by '(' / '|' / end is parsed as a path, i.e. a fallback
    scope = Scope(data={"upper": {"x": 1}})
    assert evaluate("null | upper.x", scope) == 1
