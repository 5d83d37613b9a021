"""Turns a syntax tree into nested Python closures, once per distinct expression.

Evaluating closures avoids re-dispatching on node types at every step, which keeps a cached
``{{ outputs.a.value }}`` in the low microseconds. Faults raised by operators and functions
get the column of the node that raised them here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._ast import (
    ArrayLit,
    Call,
    Chain,
    Filter,
    Index,
    Literal,
    Node,
    Path,
    Pipeline,
    Segment,
    Subscript,
    Ternary,
    Unary,
)
from ._fault import Fault
from ._filters import FILTERS
from ._functions import FUNCTIONS
from ._limits import INT_MAX, INT_MIN
from ._operators import Adder, compare, contains, equal, multiply, negate
from ._roots import ROOT_GETTERS
from ._scope import Scope
from ._values import truthy, type_name

Evaluator = Callable[[Scope], Any]
_MAX_DIGIT_KEY = 18


def _at(fault: Fault, pos: int) -> Fault:
    if fault.pos is None:
        fault.pos = pos
    return fault


def step(value: Any, key: str | int) -> Any:
    """One path step. Missing keys, out-of-range indexes and steps into scalars give null."""
    if isinstance(value, dict):
        return value.get(key if isinstance(key, str) else str(key))
    if isinstance(value, list | tuple):
        if isinstance(key, str):
            if not (key.isascii() and key.isdigit() and len(key) <= _MAX_DIGIT_KEY):
                return None
            key = int(key)
        return value[key] if -len(value) <= key < len(value) else None
    if isinstance(value, Mapping):
        return value.get(key if isinstance(key, str) else str(key))
    if isinstance(value, str) and isinstance(key, int):
        return value[key] if -len(value) <= key < len(value) else None
    return None


def _dynamic_key(value: Any) -> str | int | None:
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if not INT_MIN <= value <= INT_MAX:
            raise Fault("index out of range")
        return value
    raise Fault(f"cannot index with a {type_name(value)}")


def _walker(base: Evaluator, segments: tuple[Segment, ...]) -> Evaluator:
    if not segments:
        return base
    if all(not isinstance(seg, Index) for seg in segments):
        keys: tuple[Any, ...] = segments
        if len(keys) == 1:
            only = keys[0]
            return lambda scope: step(base(scope), only)

        def walk_static(scope: Scope) -> Any:
            value = base(scope)
            for key in keys:
                if value is None:
                    return None
                value = step(value, key)
            return value

        return walk_static
    parts: tuple[tuple[Evaluator | None, str | int, int], ...] = tuple(
        (compile_node(seg.expr), "", seg.pos) if isinstance(seg, Index) else (None, seg, -1)
        for seg in segments
    )

    def walk(scope: Scope) -> Any:
        value = base(scope)
        for dynamic, static, pos in parts:
            key: str | int | None = static
            if dynamic is not None:
                try:
                    key = _dynamic_key(dynamic(scope))
                except Fault as fault:
                    raise _at(fault, pos) from None
            if value is None or key is None:
                return None
            value = step(value, key)
        return value

    return walk


def _unary(node: Unary) -> Evaluator:
    operand = compile_node(node.operand)
    if node.op != "-":
        return lambda scope: not truthy(operand(scope))
    pos = node.pos

    def minus(scope: Scope) -> Any:
        try:
            return negate(operand(scope))
        except Fault as fault:
            raise _at(fault, pos) from None

    return minus


def _chain(node: Chain) -> Evaluator:
    first = compile_node(node.first)
    rest = tuple((op, compile_node(operand), pos) for op, operand, pos in node.rest)
    if node.group in ("or", "and"):
        return _logical(node.group == "or", (first, *(fn for _, fn, _ in rest)))
    if node.group == "add":

        def add(scope: Scope) -> Any:
            adder = Adder(first(scope))
            for op, fn, pos in rest:
                right = fn(scope)
                try:
                    adder.apply(op, right)
                except Fault as fault:
                    raise _at(fault, pos) from None
            try:
                return adder.result()
            except Fault as fault:
                raise _at(fault, rest[-1][2]) from None

        return add
    apply = _BINARY[node.group]
    if len(rest) == 1:
        ((op, second, pos),) = rest

        def single(scope: Scope) -> Any:
            left = first(scope)
            right = second(scope)
            try:
                return apply(op, left, right)
            except Fault as fault:
                raise _at(fault, pos) from None

        return single

    def binary(scope: Scope) -> Any:
        value = first(scope)
        for op, fn, pos in rest:
            right = fn(scope)
            try:
                value = apply(op, value, right)
            except Fault as fault:
                raise _at(fault, pos) from None
        return value

    return binary


def _logical(is_or: bool, operands: tuple[Evaluator, ...]) -> Evaluator:
    """Short-circuit ``||`` / ``&&``; the result is always a boolean."""
    if is_or:

        def any_true(scope: Scope) -> bool:
            # an explicit loop: any() over a generator costs a frame per evaluation
            for operand in operands:  # noqa: SIM110
                if truthy(operand(scope)):
                    return True
            return False

        return any_true

    def all_true(scope: Scope) -> bool:
        for operand in operands:  # noqa: SIM110
            if not truthy(operand(scope)):
                return False
        return True

    return all_true


def _equality(op: str, left: Any, right: Any) -> bool:
    return equal(left, right) == (op == "==")


def _comparison(op: str, left: Any, right: Any) -> bool:
    if op == "in":
        return contains(right, left)
    if op == "not in":
        return not contains(right, left)
    return compare(op, left, right)


_BINARY: dict[str, Callable[[str, Any, Any], Any]] = {
    "equality": _equality,
    "compare": _comparison,
    "mul": multiply,
}


def _ternary(node: Ternary) -> Evaluator:
    cond, then, other = compile_node(node.cond), compile_node(node.then), compile_node(node.other)
    return lambda scope: then(scope) if truthy(cond(scope)) else other(scope)


def _call(node: Call) -> Evaluator:
    impl = FUNCTIONS[node.name].impl
    args = tuple(compile_node(arg) for arg in node.args)
    pos = node.pos

    def call(scope: Scope) -> Any:
        values = [arg(scope) for arg in args]
        try:
            return impl(scope, values)
        except Fault as fault:
            raise _at(fault, pos) from None

    return call


def _pipeline(node: Pipeline) -> Evaluator:
    first = compile_node(node.first)
    steps: list[tuple[bool, Any, tuple[Evaluator, ...], int]] = []
    for item in node.steps:
        if isinstance(item, Filter):
            args = tuple(compile_node(arg) for arg in item.args)
            steps.append((True, FILTERS[item.name].impl, args, item.pos))
        else:
            steps.append((False, compile_node(item), (), -1))

    def pipeline(scope: Scope) -> Any:
        value = first(scope)
        for is_filter, fn, args, pos in steps:
            if is_filter:
                values = [arg(scope) for arg in args]
                try:
                    value = fn(value, values)
                except Fault as fault:
                    raise _at(fault, pos) from None
            elif value is None:
                value = fn(scope)
        return value

    return pipeline


def compile_node(node: Node) -> Evaluator:
    """Build the evaluator of ``node`` (recursion is bounded by the parser's depth limit)."""
    if isinstance(node, Path):
        return _walker(ROOT_GETTERS[node.root], node.segments)
    if isinstance(node, Literal):
        value = node.value
        return lambda scope: value
    if isinstance(node, Chain):
        return _chain(node)
    if isinstance(node, Unary):
        return _unary(node)
    if isinstance(node, Call):
        return _call(node)
    if isinstance(node, Ternary):
        return _ternary(node)
    if isinstance(node, Subscript):
        return _walker(compile_node(node.target), node.segments)
    if isinstance(node, ArrayLit):
        items = tuple(compile_node(item) for item in node.items)
        return lambda scope: [item(scope) for item in items]
    return _pipeline(node)
