"""Checking a case: references to the sequence, then every expectation after the run.

Each failure starts with the JSON path (relative to the case) of what it checks, so
``expect.assertions[1] (output.charge.amount): expected 100, got 90`` points at the line
of the contract to look at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orch8_nb.model import SequenceDefinition
from orch8_nb.testing.contracts.jsonpath import json_equal, json_type, resolve, show
from orch8_nb.testing.contracts.mocking import step_handlers
from orch8_nb.testing.contracts.model import (
    Assertion,
    CallCount,
    ContainsAssertion,
    ContractCase,
    EqualsAssertion,
    ExistsAssertion,
    HasTypeAssertion,
    InRangeAssertion,
    NotExistsAssertion,
    PathExpectation,
)


@dataclass
class Observed:
    """What the run left behind."""

    state: str
    #: Blocks that ran (completed or failed), in the order they first ran.
    traversed: list[str]
    #: Latest real output per block.
    outputs: dict[str, Any]
    data: Any
    error: dict[str, Any] | None
    calls: Mapping[str, int] = field(default_factory=dict)
    unmocked: list[str] = field(default_factory=list)


def check_references(case: ContractCase, seq: SequenceDefinition) -> list[str]:
    """Blocks and handlers the case names that the sequence does not have (likely typos)."""
    blocks = [ref.block.id for ref in seq.iter_blocks()]
    steps = step_handlers(seq)
    handlers = sorted(set(steps.values()))
    found: list[str] = []

    def block(where: str, block_id: str, known: list[str], noun: str = "block") -> None:
        if block_id not in known:
            found.append(f"{where}: no {noun} {block_id!r} in the sequence ({_names(known)})")

    def handler(where: str, name: str) -> None:
        if name not in handlers:
            found.append(f"{where}: no step calls handler {name!r} ({_names(handlers)})")

    for i, mock in enumerate(case.mocks):
        if mock.block is not None:
            block(f"mocks[{i}]", mock.block, list(steps), "step")
        if mock.handler is not None:
            handler(f"mocks[{i}]", mock.handler)
    expect = case.expect
    for i, b in enumerate(expect.path.traversed if expect.path else []):
        block(f"expect.path.traversed[{i}]", b, blocks)
    for i, b in enumerate(expect.skipped_blocks):
        block(f"expect.skipped_blocks[{i}]", b, blocks)
    for i, a in enumerate(expect.assertions):
        if a.output is not None:
            block(f"expect.assertions[{i}].output.block", a.output.block, blocks)
    for i, count in enumerate(expect.call_counts):
        handler(f"expect.call_counts[{i}].handler", count.handler)
    return found


def _names(items: list[str]) -> str:
    return "it has: " + ", ".join(items) if items else "it has none"


def check_expectations(case: ContractCase, seen: Observed) -> list[str]:
    """Every expectation of ``case`` that ``seen`` does not meet, as readable lines."""
    expect = case.expect
    failures: list[str] = []
    if expect.terminal_state is not None and seen.state != expect.terminal_state:
        failures.append(
            f"expect.terminal_state: expected {expect.terminal_state!r}, got {seen.state!r}"
            + _why(seen)
        )
    failures += [f"handler {h!r} was called without a mock (unmocked_handlers: fail)"
                 for h in seen.unmocked]  # fmt: skip
    if expect.path is not None:
        failures += _check_path(expect.path, seen.traversed)
    for b in expect.skipped_blocks:
        if b in seen.traversed:
            failures.append(f"expect.skipped_blocks: block {b!r} ran, but must not have")
    for i, assertion in enumerate(expect.assertions):
        problem = _check_assertion(assertion, seen)
        if problem is not None:
            failures.append(f"expect.assertions[{i}] ({assertion.subject}): {problem}")
    for i, count in enumerate(expect.call_counts):
        problem = _check_count(count, seen.calls.get(count.handler, 0))
        if problem is not None:
            failures.append(f"expect.call_counts[{i}]: {problem}")
    return failures


def _why(seen: Observed) -> str:
    err = seen.error
    if seen.state != "failed" or err is None:
        return ""
    where = f"block {err['block_id']!r}" if err.get("block_id") else "the engine"
    return f" ({where} failed: {err.get('message')})"


def _check_path(path: PathExpectation, ran: list[str]) -> list[str]:
    missing = [b for b in path.traversed if b not in ran]
    if missing:
        return [f"expect.path.traversed: block {b!r} did not run (ran: {_ran(ran)})"
                for b in missing]  # fmt: skip
    if path.ordered:
        cursor = 0
        for b in path.traversed:
            later = ran[cursor:]
            if b not in later:
                return [f"expect.path.traversed: block {b!r} ran out of the expected order "
                        f"(ran: {_ran(ran)})"]  # fmt: skip
            cursor += later.index(b) + 1
    return []


def _ran(ran: list[str]) -> str:
    return ", ".join(ran) if ran else "nothing"


def _check_count(count: CallCount, calls: int) -> str | None:
    called = f"handler {count.handler!r} was called {calls} time{'' if calls == 1 else 's'}"
    if calls < count.min:
        return f"{called}, expected at least {count.min}"
    if count.max is not None and calls > count.max:
        return f"{called}, expected at most {count.max}"
    return None


def _check_assertion(a: Assertion, seen: Observed) -> str | None:
    if a.output is not None:
        if a.output.block not in seen.outputs:
            if isinstance(a, NotExistsAssertion):
                return None
            return f"block {a.output.block!r} produced no output"
        found, value = resolve(seen.outputs[a.output.block], a.output.path)
    elif a.context is not None:
        found, value = resolve(seen.data, a.context.path)
    else:
        assert a.error is not None
        if seen.error is None and not isinstance(a, NotExistsAssertion):
            return f"the instance has no error (it is {seen.state!r})"
        found, value = resolve(seen.error, a.error.path)
    return check_op(a, found, value)


def check_op(a: Assertion, found: bool, value: Any) -> str | None:
    """Why ``value`` (``found`` or absent) fails the operator of ``a``; None if it passes."""
    if isinstance(a, NotExistsAssertion):
        return None if not found or value is None else f"expected no value, got {show(value)}"
    if not found:
        return "expected a value, but there is none at this path"
    if isinstance(a, ExistsAssertion):
        return None if value is not None else "expected a value, got null"
    if isinstance(a, EqualsAssertion):
        ok = json_equal(value, a.value)
        return None if ok else f"expected {show(a.value)}, got {show(value)}"
    if isinstance(a, ContainsAssertion):
        ok = _contains(value, a.value)
        return None if ok else f"{show(value)} does not contain {show(a.value)}"
    if isinstance(a, InRangeAssertion):
        return _in_range(a, value)
    assert isinstance(a, HasTypeAssertion)
    actual = json_type(value)
    return None if actual == a.expected else f"expected a {a.expected}, got {show(value)}"


def _contains(container: Any, needle: Any) -> bool:
    if isinstance(container, str):
        return isinstance(needle, str) and needle in container
    if isinstance(container, list):
        return any(json_equal(item, needle) for item in container)
    if isinstance(container, dict) and isinstance(needle, dict):
        return all(k in container and json_equal(container[k], v) for k, v in needle.items())
    return False


def _in_range(a: InRangeAssertion, value: Any) -> str | None:
    if json_type(value) != "number":
        return f"expected a number, got {show(value)}"
    if a.min is not None and value < a.min:
        return f"{show(value)} is below the minimum {a.min:g}"
    if a.max is not None and value > a.max:
        return f"{show(value)} is above the maximum {a.max:g}"
    return None
