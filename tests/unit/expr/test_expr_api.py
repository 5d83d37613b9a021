"""The public surface of orch8_nb.expr: names, Scope, truthiness, strictness, caching."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from typing import Any

import pytest

import orch8_nb.expr as expr
from orch8_nb.errors import ExpressionError as BaseExpressionError
from orch8_nb.expr import (
    CompiledExpression,
    ExpressionError,
    Scope,
    compile_expression,
    evaluate,
    render_template,
    truthy,
)


def test_exported_names() -> None:
    assert sorted(expr.__all__) == [
        "CompiledExpression",
        "ExpressionError",
        "Scope",
        "compile_expression",
        "evaluate",
        "has_template",
        "render_template",
        "resolve_templates",
        "truthy",
    ]
    assert ExpressionError is BaseExpressionError


def test_scope_defaults_and_immutability() -> None:
    scope = Scope()
    assert dict(scope.data) == {}
    assert scope.audit == ()
    assert scope.instance_id == ""
    assert scope.now_ms is None and scope.random is None and scope.uuid is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        scope.instance_id = "x"  # type: ignore[misc]
    assert not hasattr(scope, "__dict__")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (False, False),
        (0, False),
        (0.0, False),
        ("", False),
        ([], False),
        ((), False),
        (True, True),
        (1, True),
        (-0.5, True),
        ("0", True),
        ("false", True),
        ([0], True),
        ({}, True),
        ({"a": None}, True),
    ],
)
def test_truthiness_table(value: Any, expected: bool) -> None:
    assert truthy(value) is expected


def test_truthiness_in_expressions() -> None:
    scope = Scope(data={"empty_obj": {}, "empty_list": [], "zero": 0, "blank": ""})
    assert evaluate("empty_obj ? 1 : 2", scope) == 1
    assert evaluate("empty_list ? 1 : 2", scope) == 2
    assert evaluate("!zero && !blank && !missing", scope) is True


def test_compile_expression_is_cached_and_reusable() -> None:
    compiled = compile_expression("count > 1")
    assert isinstance(compiled, CompiledExpression)
    assert compile_expression("count > 1") is compiled
    assert compiled.evaluate(Scope(data={"count": 2})) is True
    assert compiled.evaluate(Scope(data={"count": 0})) is False
    assert compiled.source == "count > 1"
    assert "count > 1" in repr(compiled)


def test_parse_failures_are_cached_but_raise_fresh_errors() -> None:
    errors = []
    for _ in range(3):
        with pytest.raises(ExpressionError) as info:
            compile_expression("1 +")
        errors.append(info.value)
    assert errors[0] is not errors[1]
    assert str(errors[0]) == str(errors[2])


def test_strict_and_lenient() -> None:
    scope = Scope(data={"n": 1})
    for text in ["1 +", "n > 'a'", "1 / 0", "", "   ", "nope()", "(1"]:
        with pytest.raises(ExpressionError):
            evaluate(text, scope)
        assert evaluate(text, scope, strict=False) is None
    compiled = compile_expression("n / 0")
    assert compiled.evaluate(scope, strict=False) is None


def test_error_message_names_problem_column_and_source() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("plan != 'pro' && count > 'x'", Scope(data={"count": 1}))
    assert str(info.value) == (
        "cannot compare number with string using '>' at column 24 "
        "(in expression \"plan != 'pro' && count > 'x'\")"
    )


def test_long_sources_are_shortened_in_messages() -> None:
    text = "1 + " * 100 + "'x' - 1"
    with pytest.raises(ExpressionError) as info:
        evaluate(text, Scope())
    assert "..." in str(info.value)
    assert len(str(info.value)) < 300


def test_surrounding_braces_are_stripped() -> None:
    scope = Scope(data={"a": 2})
    assert evaluate("{{ a + 1 }}", scope) == 3
    assert evaluate("  {{a}}  ", scope) == 2
    with pytest.raises(ExpressionError, match="end of expression at column 9"):
        evaluate("{{ a +  }}", scope)
    with pytest.raises(ExpressionError):
        evaluate("{{ a }} + {{ a }}", scope)


def test_expression_must_be_a_string() -> None:
    with pytest.raises(ExpressionError, match="must be a string, got bool"):
        evaluate(True, Scope())  # type: ignore[arg-type]
    assert evaluate(None, Scope(), strict=False) is None  # type: ignore[arg-type]


def test_faults_from_scope_callables_are_converted() -> None:
    def broken() -> int:
        raise ValueError("clock is broken")

    with pytest.raises(ExpressionError, match="clock is broken"):
        evaluate("now()", Scope(now_ms=broken))
    assert evaluate("now()", Scope(now_ms=broken), strict=False) is None


def test_non_json_values_in_the_scope() -> None:
    scope = Scope(data={"obj": object(), "deep": [[[[1]]]]})
    with pytest.raises(ExpressionError, match="cannot be written as JSON"):
        evaluate("json(obj)", scope)
    assert evaluate("obj == obj", scope) is False
    assert evaluate("obj ? 1 : 2", scope) == 1
    assert evaluate("deep[0][0][0][0]", scope) == 1


def test_deeply_nested_data_raises_expression_error() -> None:
    deep: Any = 1
    for _ in range(5000):
        deep = [deep]
    scope = Scope(data={"deep": deep})
    for text in ["json(deep)", "deep == deep", "unique([deep])", "'x' + deep"]:
        with pytest.raises(ExpressionError):
            evaluate(text, scope)


def test_huge_integers_in_data() -> None:
    scope = Scope(data={"big": 10**400, "huge": 10**5000})
    assert evaluate("big > 1", scope) is True
    for text in ["big * 2", "huge + 1", "-huge", "'' + huge", "json(huge)"]:
        with pytest.raises(ExpressionError):
            evaluate(text, scope)


def test_stack_exhaustion_from_a_deep_caller_is_reported_but_not_cached() -> None:
    text = "1 + 1 * -(" * 30 + "1" + ")" * 30
    template = "{{ " + text + " }}"

    def from_depth(levels: int, call: Any) -> Any:
        return call() if levels == 0 else from_depth(levels - 1, call)

    budget = sys.getrecursionlimit() - 150
    for call in (lambda: evaluate(text, Scope()), lambda: render_template(template, Scope())):
        with contextlib.suppress(ExpressionError):
            from_depth(budget, call)
        assert call() == 1  # x -> 1 - x, thirty times from 1
