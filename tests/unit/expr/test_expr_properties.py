"""Property tests: whatever the input, only values or ExpressionError come out."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orch8_nb.expr import (
    ExpressionError,
    Scope,
    compile_expression,
    evaluate,
    render_template,
    resolve_templates,
)
from orch8_nb.expr._limits import MAX_PARSE_DEPTH, MAX_STRING_BYTES

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCOPE = Scope(
    data={
        "n": 3,
        "f": -2.5,
        "zero": 0,
        "s": "hello",
        "empty": "",
        "t": True,
        "nil": None,
        "xs": [1, 2, 3],
        "words": ["a", "b"],
        "mixed": [1, "a", None, {"k": 1}],
        "obj": {"k": 1, "nested": {"deep": [1, {"x": "y"}]}},
        "big": 2**62,
        "huge": 10**30,
        "ts": "2024-05-06T07:08:09Z",
        "input": {"x": 1},
    },
    config={"c": 1},
    runtime={"attempt": 0},
    outputs={"a": {"value": 42, "items": [1, 2]}, "b-c": {"v": "w"}},
    state={"k": "v"},
    instance_id="i-1",
    now_ms=lambda: 1_700_000_000_000,
    random=lambda: 0.5,
    uuid=lambda: "u-u-i-d",
)


def _outcome(call: Any) -> Any:
    """Run ``call``; ExpressionError is an allowed outcome, anything else fails the test."""
    try:
        return call()
    except ExpressionError as exc:
        assert str(exc)
        return exc


# -- (a) arbitrary text ------------------------------------------------------------------
@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text_as_expression(text: str) -> None:
    _outcome(lambda: evaluate(text, SCOPE))
    assert not isinstance(evaluate(text, SCOPE, strict=False), ExpressionError)


@SETTINGS
@given(
    st.text(alphabet=st.sampled_from(list("{}|'\"\\()[]., abc+-*/!?:=<>&0123456789")), max_size=80)
)
def test_operator_soup(text: str) -> None:
    _outcome(lambda: evaluate(text, SCOPE))
    _outcome(lambda: render_template(text, SCOPE))
    _outcome(lambda: render_template("{{" + text + "}}", SCOPE))


# -- (b) grammar-shaped expressions --------------------------------------------------------
_PATHS = [
    "n",
    "f",
    "zero",
    "s",
    "empty",
    "t",
    "nil",
    "xs",
    "words",
    "mixed",
    "obj",
    "big",
    "huge",
    "ts",
    "missing",
    "obj.k",
    "obj.nested.deep[1].x",
    "xs[0]",
    "xs[-1]",
    "mixed[3].k",
    "context.data.n",
    "context.config.c",
    "context.audit",
    "context.runtime.attempt",
    "outputs.a.value",
    "steps.a.items[1]",
    "outputs['b-c'].v",
    "input.x",
    "instance_id",
    "state.k",
    "config.c",
    "runtime.attempt",
    "data.s",
    "context",
]
_LITERALS = [
    "0",
    "1",
    "-1",
    "2.5",
    "1e3",
    "9223372036854775807",
    "true",
    "false",
    "null",
    "''",
    "'a'",
    '"b"',
    "'x\\n'",
    "[]",
    "[1, 2]",
    "['a', null]",
]
_FUNCTIONS = {  # name -> (min args, max args)
    "abs": (1, 1),
    "len": (1, 1),
    "json": (1, 1),
    "now": (0, 0),
    "uuid": (0, 0),
    "random": (0, 0),
    "format_date": (1, 2),
    "day_of_week": (1, 1),
    "keys": (1, 1),
    "values": (1, 1),
    "contains": (2, 2),
    "starts_with": (2, 2),
    "ends_with": (2, 2),
    "sum": (1, 3),
    "avg": (1, 3),
    "min": (1, 3),
    "max": (1, 3),
    "first": (1, 1),
    "last": (1, 1),
    "slice": (2, 3),
    "sort": (1, 2),
    "unique": (1, 1),
    "count": (1, 2),
    "change_pct": (2, 2),
    "clamp": (3, 3),
}
_BINARY = [
    "+",
    "-",
    "*",
    "/",
    "%",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "||",
    "and",
    "or",
    "in",
    "not in",
]
_FILTERS = [
    "upper",
    "lower",
    "trim",
    "abs",
    "url_encode",
    "base64",
    "base64_decode",
    "replace('a', 'b')",
    "default(1)",
    "truncate(2)",
    "truncate(1, '~')",
    "join",
    "join('-')",
    "split",
    "split('')",
    "hash",
    "hash(md5)",
    "round",
    "round(2)",
]

atoms = st.sampled_from(_PATHS + _LITERALS)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(_BINARY), children).map(
        lambda t: f"{t[0]} {t[1]} {t[2]}"
    )
    unary = st.tuples(st.sampled_from(["!", "-", "not "]), children).map("".join)
    paren = children.map(lambda c: f"({c})")
    ternary = st.tuples(children, children, children).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}")
    index = st.tuples(children, children).map(lambda t: f"({t[0]})[{t[1]}]")
    array = st.lists(children, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
    call = st.sampled_from(sorted(_FUNCTIONS)).flatmap(
        lambda name: st.lists(
            children, min_size=_FUNCTIONS[name][0], max_size=_FUNCTIONS[name][1]
        ).map(lambda args: f"{name}({', '.join(args)})")
    )
    return st.one_of(binary, unary, paren, ternary, index, array, call)


expressions = st.recursive(atoms, _extend, max_leaves=12)


def _pipelines(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    steps = st.lists(st.one_of(st.sampled_from(_FILTERS), base), max_size=3)
    return st.tuples(base, steps).map(lambda t: " | ".join([t[0], *t[1]]))


pipelines = _pipelines(expressions)


def _is_json(value: Any, depth: int = 0) -> bool:
    if value is None or isinstance(value, bool | int | float | str):
        return True
    if isinstance(value, list | tuple):
        return all(_is_json(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v, depth + 1) for k, v in value.items())
    return hasattr(value, "keys")  # a Mapping from the scope


@SETTINGS
@given(expressions)
def test_grammar_expressions(text: str) -> None:
    result = _outcome(lambda: evaluate(text, SCOPE))
    if not isinstance(result, ExpressionError):
        assert _is_json(result)
    # the cached compiled form agrees with a fresh evaluation
    again = _outcome(lambda: compile_expression(text).evaluate(SCOPE))
    assert type(again) is type(result)


@SETTINGS
@given(pipelines)
def test_grammar_pipelines(text: str) -> None:
    _outcome(lambda: evaluate(text, SCOPE))
    _outcome(lambda: render_template("{{ " + text + " }}", SCOPE))


# -- (c) templates -----------------------------------------------------------------------
# templates reject bare roots, so their atoms are fully qualified paths and literals
_ROOTS = (
    "context",
    "data",
    "config",
    "outputs",
    "steps",
    "input",
    "instance_id",
    "runtime",
    "state",
)
_TEMPLATE_ATOMS = [
    p if p.split(".")[0].split("[")[0] in _ROOTS else f"context.data.{p}" for p in _PATHS
] + _LITERALS
template_exprs = _pipelines(st.recursive(st.sampled_from(_TEMPLATE_ATOMS), _extend, max_leaves=8))
template_text = st.lists(
    st.one_of(
        st.text(max_size=10),
        template_exprs.map(lambda e: "{{ " + e + " }}"),
        st.sampled_from(["{{", "}}", "{", "}", "'", '"', "|", "{{}}"]),
    ),
    max_size=5,
).map("".join)


@SETTINGS
@given(template_text)
def test_templates(text: str) -> None:
    result = _outcome(lambda: render_template(text, SCOPE))
    lenient = render_template(text, SCOPE, strict=False)
    if not isinstance(result, ExpressionError):
        assert lenient == result
    nested = {"a": [text, {"b": text}], "c": 1}
    _outcome(lambda: resolve_templates(nested, SCOPE))
    resolve_templates(nested, SCOPE, strict=False)


@SETTINGS
@given(st.lists(template_exprs, min_size=1, max_size=3))
def test_valid_templates_in_lenient_mode_never_raise(parts: list[str]) -> None:
    text = "x".join("{{ " + part + " }}" for part in parts)
    render_template(text, SCOPE, strict=False)


# -- (d) nesting depth -----------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_paren_depth(n: int) -> None:
    text = "(" * n + "1" + ")" * n
    if n <= MAX_PARSE_DEPTH:
        assert evaluate(text, SCOPE) == 1
    else:
        result = _outcome(lambda: evaluate(text, SCOPE))
        assert isinstance(result, ExpressionError)
        assert "nested deeper" in str(result)


# -- (e) unary chains and long concatenations ---------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=3000), st.sampled_from(["!", "-", "not ", "- "]))
def test_unary_chains(n: int, op: str) -> None:
    result = _outcome(lambda: evaluate(op * n + "1", SCOPE))
    if n <= MAX_PARSE_DEPTH:
        assert not isinstance(result, ExpressionError)
    else:
        assert isinstance(result, ExpressionError)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=4000),
    st.sampled_from(["s", "'ab'", "n", "big", "huge", "xs", "nil"]),
)
def test_plus_chains_stay_within_caps(n: int, term: str) -> None:
    scope = Scope(
        data={"s": "x" * 3000, "n": 1, "big": 2**62, "huge": 10**30, "xs": [1] * 50, "nil": None}
    )
    result = _outcome(lambda: evaluate(" + ".join([term] * n), scope))
    if isinstance(result, str):
        assert len(result.encode()) <= MAX_STRING_BYTES
    if isinstance(result, list):
        assert len(result) <= 100_000
    if isinstance(result, int) and n > 1:  # a single term is the data value itself
        assert -(2**63) <= result < 2**63


# -- hostile data: the scope, not the text, is the adversary --------------------------------
def _hostile_scope() -> Scope:
    deep: Any = 1
    for _ in range(3000):
        deep = [deep]

    class Opaque:
        pass

    return Scope(
        data={
            "n": 10**5000,
            "f": float("inf"),
            "zero": float("nan"),
            "s": "x" * 100,
            "empty": Opaque(),
            "t": deep,
            "nil": {1: 2},
            "xs": [Opaque(), 1],
            "words": {"a": deep},
            "mixed": [float("nan")],
            "obj": {"k": 10**400, "nested": {"deep": deep}},
            "big": -(10**30),
            "huge": 10**5000,
            "ts": "9999-12-31T23:59:59+14:00",
        },
        now_ms=lambda: 10**40,
    )


HOSTILE = _hostile_scope()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(expressions, pipelines))
def test_hostile_scope_values(text: str) -> None:
    result = _outcome(lambda: evaluate(text, HOSTILE))
    if isinstance(result, ExpressionError):
        # failures are diagnosed, not caught by the last-resort net for Python errors
        assert "cannot evaluate" not in str(result)
