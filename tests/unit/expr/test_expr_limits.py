"""Limits: nesting depth, expression size, string and array caps, no pathological slowness."""

from __future__ import annotations

import pytest

from orch8_nb.expr import ExpressionError, Scope, evaluate, render_template
from orch8_nb.expr._limits import MAX_EXPRESSION_BYTES, MAX_PARSE_DEPTH, MAX_STRING_BYTES


@pytest.mark.parametrize("depth", [1, 10, MAX_PARSE_DEPTH])
def test_nesting_up_to_the_limit_evaluates(depth: int) -> None:
    assert evaluate("(" * depth + "1" + ")" * depth, Scope()) == 1
    assert evaluate("[" * depth + "1" + "]" * depth, Scope()) is not None
    assert evaluate("!" * depth + "true", Scope()) is (depth % 2 == 0)
    assert evaluate("- " * depth + "1", Scope()) == (-1) ** depth
    assert evaluate("abs(" * depth + "1" + ")" * depth, Scope()) == 1
    assert evaluate("false ? 0 : " * depth + "7", Scope()) == 7


@pytest.mark.parametrize("depth", [MAX_PARSE_DEPTH + 1, 100, 1000, 10_000])
def test_nesting_beyond_the_limit_is_an_expression_error(depth: int) -> None:
    for text in [
        "(" * depth + "1" + ")" * depth,
        "[" * depth + "1" + "]" * depth,
        "!" * depth + "true",
        "-" * depth + "1",
        "not " * depth + "true",
        "abs(" * depth + "1" + ")" * depth,
        "a" + "[" * depth + "0" + "]" * depth,
        "false ? 0 : " * depth + "7",
    ]:
        # very deep texts may hit the size limit first; either way it is an ExpressionError
        with pytest.raises(ExpressionError, match=r"nested deeper than 64 levels|longer than"):
            evaluate(text, Scope())
        assert evaluate(text, Scope(), strict=False) is None


def test_nesting_limit_in_templates() -> None:
    deep = "(" * 200 + "1" + ")" * 200
    with pytest.raises(ExpressionError, match="nested deeper than 64 levels"):
        render_template("{{ " + deep + " }}", Scope())


def test_expression_size_limit() -> None:
    fits = "1" + " " * (MAX_EXPRESSION_BYTES - 1)
    assert evaluate(fits, Scope()) == 1
    with pytest.raises(ExpressionError, match="longer than 64 KiB"):
        evaluate(fits + " ", Scope())
    # the limit is in UTF-8 bytes, not characters
    wide = "'" + "é" * (MAX_EXPRESSION_BYTES // 2) + "'"
    with pytest.raises(ExpressionError, match="longer than 64 KiB"):
        evaluate(wide, Scope())
    with pytest.raises(ExpressionError, match="longer than 64 KiB"):
        render_template("x {{ " + fits + " }}", Scope())


def test_long_flat_chains_are_not_deep() -> None:
    terms = 16_000
    assert evaluate(" + ".join(["1"] * terms), Scope()) == terms
    assert evaluate(" && ".join(["true"] * 7000), Scope()) is True
    assert evaluate(" * ".join(["1"] * terms), Scope()) == 1
    assert evaluate(" == ".join(["true"] * 1000), Scope()) is True
    assert evaluate("a" + ".b" * 10_000, Scope()) is None


def test_string_concatenation_cap() -> None:
    mib = "a" * (1024 * 1024)
    scope = Scope(data={"s": mib})
    assert len(evaluate("s + s + s + s", scope)) == MAX_STRING_BYTES
    with pytest.raises(ExpressionError, match="'\\+' result is larger than 4 MiB"):
        evaluate("s + s + s + s + 'x'", scope)
    wide = Scope(data={"s": "é" * (1024 * 1024)})
    with pytest.raises(ExpressionError, match="larger than 4 MiB"):
        evaluate("s + s + s", wide)


def test_long_concatenation_of_a_large_string_is_linear() -> None:
    big = "a" * (3 * 1024 * 1024)
    scope = Scope(data={"big": big})
    text = "big" + " + 'a'" * 10_000
    assert len(evaluate(text, scope)) == len(big) + 10_000


def test_array_concatenation_cap() -> None:
    scope = Scope(data={"xs": list(range(60_000))})
    assert len(evaluate("xs + [1]", scope)) == 60_001
    with pytest.raises(ExpressionError, match="limited to 100,000 elements"):
        evaluate("xs + xs", scope)


def test_multiplication_never_builds_huge_integers() -> None:
    text = " * ".join(["9223372036854775807"] * 20)
    with pytest.raises(ExpressionError, match="number out of range"):
        evaluate(text, Scope())
    assert isinstance(evaluate(" * ".join(["4294967296"] * 3), Scope()), float)
