"""Paths into JSON values, and JSON equality and types."""

from __future__ import annotations

from typing import Any

import pytest

from orch8_nb.testing.contracts.jsonpath import json_equal, json_type, parse_path, resolve, show

DOC = {"a": {"b": [{"c": 42}, None]}, "x.y": 1, "0": "zero", "list": [10, 20]}


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("", []),
        ("a", ["a"]),
        ("a.b[0].c", ["a", "b", 0, "c"]),
        ("a.b.0.c", ["a", "b", "0", "c"]),
        ('["x.y"]', ["x.y"]),
        ("['x.y']", ["x.y"]),
        ("[0][1]", [0, 1]),
        ("a-b.c_d", ["a-b", "c_d"]),
    ],
)
def test_parse(path: str, segments: list[Any]) -> None:
    assert parse_path(path) == segments


@pytest.mark.parametrize("path", ["a.", ".a", "a..b", "a[", "a[x]", "a[0]b", "a]"])
def test_parse_rejects(path: str) -> None:
    with pytest.raises(ValueError, match="at character"):
        parse_path(path)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", (True, DOC)),
        ("a.b[0].c", (True, 42)),
        ("a.b.0.c", (True, 42)),
        ("a.b[1]", (True, None)),
        ("a.b[2]", (False, None)),
        ("a.b.x", (False, None)),
        ("a.b[0].c.d", (False, None)),
        ('["x.y"]', (True, 1)),
        ("[0]", (True, "zero")),
        ("list.1", (True, 20)),
    ],
)
def test_resolve(path: str, expected: tuple[bool, Any]) -> None:
    assert resolve(DOC, path) == expected


def test_json_equality_and_types() -> None:
    assert json_equal(1, 1.0)
    assert not json_equal(1, True)
    assert not json_equal(0, False)
    assert json_equal({"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]})
    assert not json_equal({"a": 1}, {"a": 1, "b": 2})
    assert not json_equal([1, 2], [1])
    types = [json_type(v) for v in (None, True, 3, 2.5, "s", [], {})]
    assert types == ["null", "boolean", "number", "number", "string", "array", "object"]
    assert show({"b": 1, "a": "é"}) == '{"a": "é", "b": 1}'
    assert show("x" * 300, limit=10) == '"xxxxxx...'
