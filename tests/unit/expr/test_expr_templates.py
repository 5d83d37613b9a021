"""Template resolution: whole-string raw values, inline text, walking JSON, strictness."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from orch8_nb.expr import (
    ExpressionError,
    Scope,
    has_template,
    render_template,
    resolve_templates,
)

SCOPE = Scope(
    data={"name": "ada", "n": 3, "f": 2.0, "g": 0.5, "flag": False, "nothing": None},
    outputs={"fetch": {"body": {"id": 7, "tags": ["a", "b"]}, "ok": True}},
    instance_id="inst-9",
)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ outputs.fetch.body }}", {"id": 7, "tags": ["a", "b"]}),
        ("{{outputs.fetch.body.id}}", 7),
        ("{{   outputs.fetch.ok   }}", True),
        ("{{ context.data.nothing }}", None),
        ("{{ context.data.f }}", 2.0),
        ("{{ context.data.n * 2 }}", 6),
        ("{{ instance_id }}", "inst-9"),
        ("{{ 'lit' }}", "lit"),
    ],
)
def test_whole_string_returns_the_raw_value(template: str, expected: Any) -> None:
    result = render_template(template, SCOPE)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Hi {{ context.data.name }}!", "Hi ada!"),
        ("n={{context.data.n}}", "n=3"),
        ("f={{context.data.f}}", "f=2"),
        ("g={{context.data.g}}", "g=0.5"),
        ("[{{ context.data.nothing }}]", "[]"),
        ("{{ context.data.flag }}/{{ outputs.fetch.ok }}", "false/true"),
        ("body={{ outputs.fetch.body }}", 'body={"id":7,"tags":["a","b"]}'),
        ("tags={{ outputs.fetch.body.tags }}", 'tags=["a","b"]'),
        ("{{ context.data.n }}{{ context.data.n }}", "33"),
        (" {{ context.data.n }}", " 3"),
        ("{{ context.data.n }} ", "3 "),
        ("a {{ '}}' }} b", "a }} b"),
        ('a {{ "{{" }} b', "a {{ b"),
        ("}} {{ context.data.n }} }}", "}} 3 }}"),
        ("{{ 7 / 2 }} {{ 1e20 }}", "3.5 1e+20"),
    ],
)
def test_inline_placeholders_are_stringified(template: str, expected: str) -> None:
    assert render_template(template, SCOPE) == expected


def test_strings_without_placeholders_are_returned_unchanged() -> None:
    text = "plain text with } and { and }}"
    assert render_template(text, SCOPE) is text


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ context.data.name", "unterminated '{{' (missing '}}') at column 1"),
        ("ok {{ a }} then", "unknown root 'a' at column 7"),
        ("ok {{ a }} then {{ b", "unterminated '{{' (missing '}}') at column 17"),
        ("x {{ }}", "empty placeholder at column 5"),
        ("{{ 'abc }}", "unterminated string at column 4"),
        ("{{ {{ x }} }}", "placeholders cannot be nested"),
        ("{{ context.data.n + }}", "unexpected end of expression at column 21"),
        ("{{ context.data.n | nope }}", "unknown root 'nope'"),
        ("{{ context.data.n / 0 }}", "division by zero at column 19"),
    ],
)
def test_strict_errors_name_the_problem_and_column(template: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        render_template(template, SCOPE)
    assert message in str(info.value)
    assert repr(template) in str(info.value)


def test_lenient_mode() -> None:
    assert render_template("{{ context.data.name", SCOPE, strict=False) is None
    assert render_template("{{ item }}", SCOPE, strict=False) is None
    assert render_template("{{ 1 / 0 }}", SCOPE, strict=False) is None
    # an evaluation failure inside an inline string renders as empty text
    assert render_template("a{{ 1 / 0 }}b{{ context.data.n }}", SCOPE, strict=False) == "ab3"
    assert render_template(42, SCOPE, strict=False) is None  # type: ignore[arg-type]


def test_non_string_template_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="must be a string"):
        render_template(42, SCOPE)  # type: ignore[arg-type]


def test_whole_value_is_a_copy() -> None:
    body = render_template("{{ outputs.fetch.body }}", SCOPE)
    body["tags"].append("c")
    assert SCOPE.outputs["fetch"]["body"]["tags"] == ["a", "b"]


def test_resolve_templates_walks_json_and_leaves_input_untouched() -> None:
    params = {
        "url": "https://x/{{ outputs.fetch.body.id }}",
        "body": "{{ outputs.fetch.body }}",
        "list": ["{{ context.data.n }}", 1, None, True, 2.5, {"deep": "{{ instance_id }}"}],
        "tuple": ("{{ context.data.name }}",),
        "{{ keys }}": "are not resolved",
        "n": 5,
    }
    original = copy.deepcopy(params)
    resolved = resolve_templates(params, SCOPE)
    assert resolved == {
        "url": "https://x/7",
        "body": {"id": 7, "tags": ["a", "b"]},
        "list": [3, 1, None, True, 2.5, {"deep": "inst-9"}],
        "tuple": ["ada"],
        "{{ keys }}": "are not resolved",
        "n": 5,
    }
    assert params == original
    assert resolved is not params
    assert resolved["list"][5] is not params["list"][5]


def test_resolve_templates_without_templates_copies_containers() -> None:
    params = {"a": [1, {"b": "c"}]}
    resolved = resolve_templates(params, SCOPE)
    assert resolved == params
    assert resolved is not params
    assert resolved["a"] is not params["a"]
    assert resolve_templates("plain", SCOPE) == "plain"
    assert resolve_templates(None, SCOPE) is None
    assert resolve_templates(3, SCOPE) == 3


def test_resolve_templates_strictness() -> None:
    params = {"ok": "{{ context.data.n }}", "bad": "{{ item }}"}
    with pytest.raises(ExpressionError, match="unknown root 'item'"):
        resolve_templates(params, SCOPE)
    assert resolve_templates(params, SCOPE, strict=False) == {"ok": 3, "bad": None}


def test_resolve_templates_depth_limit() -> None:
    deep: Any = "{{ context.data.n }}"
    for _ in range(400):
        deep = [deep]
    with pytest.raises(ExpressionError, match="nested deeper than 256 levels"):
        resolve_templates(deep, SCOPE)
    resolve_templates(deep, SCOPE, strict=False)  # does not raise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{{ x }}", True),
        ("a {{", True),
        ("{ {", False),
        ("plain", False),
        ({"a": ["b", {"c": "{{ d }}"}]}, True),
        ({"{{ key }}": "value"}, False),
        (["x", 1, None, 2.5, ("{{",)], True),
        ([], False),
        (None, False),
        (5, False),
    ],
)
def test_has_template(value: Any, expected: bool) -> None:
    assert has_template(value) is expected


def test_has_template_on_deep_values_does_not_recurse() -> None:
    deep: Any = "{{ x }}"
    for _ in range(10_000):
        deep = [deep]
    assert has_template(deep) is True


def test_inline_result_is_capped() -> None:
    scope = Scope(data={"big": "a" * (3 * 1024 * 1024)})
    with pytest.raises(ExpressionError, match="template result is larger than 4 MiB"):
        render_template("{{ context.data.big }} and {{ context.data.big }}", scope)
    assert render_template("{{ context.data.big }}", scope) == scope.data["big"]


def test_templates_are_parsed_once() -> None:
    from orch8_nb.expr import _templates

    text = "cache me {{ context.data.n }} " + "x" * 7
    render_template(text, SCOPE)
    before = _templates._cached.cache_info().hits
    for _ in range(5):
        assert render_template(text, SCOPE).startswith("cache me 3")
    assert _templates._cached.cache_info().hits == before + 5
