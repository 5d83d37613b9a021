"""Roots and paths: every root, the steps/input aliases, bare paths, indexing rules."""

from __future__ import annotations

from typing import Any

import pytest

from orch8_nb.expr import ExpressionError, Scope, evaluate, render_template

SCOPE = Scope(
    data={
        "user": {"name": "ada", "tags": ["x", "y", "z"], "key with space": 1, "0": "zero"},
        "input": {"order": 17},
        "item": "it",
        "plan": "pro",
        "enterprise": "pro",
    },
    config={"region": "eu", "holidays": ["2024-12-25"]},
    audit=({"event": "created"},),
    runtime={"attempt": 2, "current_step": "s1"},
    outputs={"fetch": {"items": [10, 20, 30], "body": {"ok": True}}, "send-email": {"id": 9}},
    state={"counter": 5},
    instance_id="inst-1",
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("context.data.user.name", "ada"),
        ("data.user.name", "ada"),
        ("context.config.region", "eu"),
        ("config.region", "eu"),
        ("context.audit[0].event", "created"),
        ("context.runtime.attempt", 2),
        ("runtime.current_step", "s1"),
        ("outputs.fetch.body.ok", True),
        ("steps.fetch.body.ok", True),
        ("input.order", 17),
        ("context.data.input.order", 17),
        ("instance_id", "inst-1"),
        ("state.counter", 5),
        ("context.data.user.tags[0]", "x"),
        ("context.data.user.tags.1", "y"),
        ("context.data.user.tags[-1]", "z"),
        ("outputs.fetch.items[-3]", 10),
        ("context.data.user['key with space']", 1),
        ('context.data.user["name"]', "ada"),
        ("context.data.user.0", "zero"),
        ("context.data.user[context.data.plan == 'pro' ? 'name' : 'tags']", "ada"),
        ("outputs.fetch.items[1 + 1]", 30),
        ("outputs.fetch.items['1']", 20),
        ("outputs.fetch.items[1.0]", 20),
        ("context.config.holidays", ["2024-12-25"]),
    ],
)
def test_roots_in_templates_and_expressions(path: str, expected: Any) -> None:
    assert render_template("{{ " + path + " }}", SCOPE) == expected
    assert evaluate(path, SCOPE) == expected


@pytest.mark.parametrize(
    "path",
    [
        "context.data.missing",
        "context.data.user.missing.deeper",
        "outputs.nope.x",
        "outputs.fetch.items[99]",
        "outputs.fetch.items[-99]",
        "outputs.fetch.items.name",
        "state.nope",
        "context.data.user.name.first",
        "context.data.user.name[0].x",
        "context.data.user[null]",
        "config.region.x",
    ],
)
def test_missing_values_are_null(path: str) -> None:
    assert render_template("{{ " + path + " }}", SCOPE) is None
    assert evaluate(path, SCOPE) is None


def test_string_indexing() -> None:
    assert evaluate("user.name[0]", SCOPE) == "a"
    assert evaluate("user.name[-1]", SCOPE) == "a"
    assert evaluate("user.name[9]", SCOPE) is None


def test_whole_context_and_outputs() -> None:
    context = evaluate("context", SCOPE)
    assert context["config"] == {"region": "eu", "holidays": ["2024-12-25"]}
    assert evaluate("context['data'].plan", SCOPE) == "pro"
    assert evaluate("outputs['send-email'].id", SCOPE) == 9
    assert sorted(evaluate("outputs", SCOPE)) == ["fetch", "send-email"]


def test_hyphenated_block_ids_in_templates() -> None:
    assert render_template("{{ outputs.send-email.id }}", SCOPE) == 9
    assert render_template("{{ steps.send-email.id }}", SCOPE) == 9
    # arithmetic still works with spaces or digits after the minus
    assert render_template("{{ state.counter - 1 }}", SCOPE) == 4
    assert render_template("{{ state.counter-1 }}", SCOPE) == 4


def test_bare_path_reads_context_data_in_expressions() -> None:
    assert evaluate("plan == enterprise", SCOPE) is True
    assert evaluate("item", SCOPE) == "it"
    assert evaluate("user.tags[2]", SCOPE) == "z"
    assert evaluate("nothing", SCOPE) is None


def test_bare_root_is_an_error_in_templates() -> None:
    with pytest.raises(ExpressionError) as info:
        render_template("{{item}}", SCOPE)
    message = str(info.value)
    assert "unknown root 'item'" in message
    assert "column 3" in message
    assert "context.data.item" in message


@pytest.mark.parametrize("template", ["{{ audit }}", "{{ foo.bar }}", "x {{ user.name }}"])
def test_other_roots_are_errors_in_templates(template: str) -> None:
    with pytest.raises(ExpressionError, match="unknown root"):
        render_template(template, SCOPE)


def test_unknown_context_section() -> None:
    with pytest.raises(ExpressionError, match=r"unknown context section 'context\.dta'"):
        evaluate("context.dta.x", SCOPE)


def test_bad_dynamic_index_type() -> None:
    with pytest.raises(ExpressionError, match="cannot index with a boolean"):
        evaluate("user.tags[true]", SCOPE)
    with pytest.raises(ExpressionError, match="cannot index with a number"):
        evaluate("user.tags[1.5]", SCOPE)


def test_keywords_are_plain_keys_after_a_dot() -> None:
    scope = Scope(data={"a": {"in": 1, "true": 2, "null": 3, "not": 4}})
    assert evaluate("a.in + a.true + a.null + a.not", scope) == 10


def test_tuples_and_mappings_from_the_scope() -> None:
    from types import MappingProxyType

    scope = Scope(data=MappingProxyType({"t": (1, 2), "m": MappingProxyType({"k": "v"})}))
    assert evaluate("t[1]", scope) == 2
    assert evaluate("m.k", scope) == "v"
    assert render_template("{{ data.m }}", scope) == {"k": "v"}
    assert render_template("{{ data.t }}", scope) == [1, 2]
