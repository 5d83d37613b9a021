"""Running cases: every kind of expectation can fail, with a readable line saying why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orch8_nb.testing.contracts import (
    CaseResult,
    ContractError,
    load_suite,
    run_case,
    run_contract_file,
    run_suite,
)

SUITES = Path(__file__).parent / "suites"
FLOW = {
    "name": "flow",
    "blocks": [
        {"type": "step", "id": "a", "handler": "work", "params": {"n": "{{ data.n }}"}},
        {"type": "step", "id": "b", "handler": "noop", "when": "data.n > 1"},
        {"type": "step", "id": "c", "handler": "transform",
         "params": {"n": "{{ outputs.a.params.n }}"}},
    ],
}  # fmt: skip
WORKS = [{"handler": "work", "type": "echo"}]


def run(
    expect: dict[str, Any] | None = None,
    *,
    seq: dict[str, Any] = FLOW,
    suite: dict[str, Any] | None = None,
    **fields: Any,
) -> CaseResult:
    fields.setdefault("mocks", WORKS)
    fields.setdefault("input", {"n": 1})
    case = {"name": "case", "expect": expect or {}, **fields}
    return run_case(load_suite({"sequence": seq, "cases": [case], **(suite or {})}), "case")


def failures(expect: dict[str, Any] | None = None, **fields: Any) -> list[str]:
    result = run(expect, **fields)
    assert not result.passed
    return result.failures


def test_a_passing_case_reports_what_ran() -> None:
    result = run({"terminal_state": "completed"})
    assert result.passed and result.failures == []
    assert result.final_state == "completed"
    assert result.traversed == ["a", "c"]
    assert result.calls == {"noop": 0, "transform": 1, "work": 1}
    assert (result.ticks, result.logical_ms) == (1, 0)
    assert 0 < result.duration_s < 5
    assert result.report().splitlines() == [
        "contract case 'case' passed",
        "  final state: completed; ran: a, c; 1 tick, 0 ms of virtual time",
    ]


def test_terminal_state() -> None:
    assert failures({"terminal_state": "failed"}) == [
        "expect.terminal_state: expected 'failed', got 'completed'"
    ]
    boom = [{"handler": "work", "type": "failure", "message": "boom"}]
    assert failures({"terminal_state": "completed"}, mocks=boom) == [
        "expect.terminal_state: expected 'completed', got 'failed' (block 'a' failed: boom)"
    ]


def test_path_and_skipped_blocks() -> None:
    assert failures({"path": {"traversed": ["a", "b"]}}) == [
        "expect.path.traversed: block 'b' did not run (ran: a, c)"
    ]
    assert failures({"path": {"traversed": ["c", "a"], "ordered": True}}) == [
        "expect.path.traversed: block 'a' ran out of the expected order (ran: a, c)"
    ]
    assert run({"path": {"traversed": ["c", "a"]}}).passed  # unordered: a set
    assert failures({"skipped_blocks": ["b", "c"]}, input={"n": 2}) == [
        "expect.skipped_blocks: block 'b' ran, but must not have",
        "expect.skipped_blocks: block 'c' ran, but must not have",
    ]


@pytest.mark.parametrize(
    ("assertion", "expected"),
    [
        ({"output": {"block": "c", "path": "n"}, "op": "equals", "value": 2},
         "(output.c.n): expected 2, got 1"),
        ({"output": {"block": "c", "path": "n"}, "op": "equals", "value": True},
         "(output.c.n): expected true, got 1"),
        ({"output": {"block": "a", "path": "params.x"}, "op": "exists"},
         "(output.a.params.x): expected a value, but there is none at this path"),
        ({"output": {"block": "a", "path": "params"}, "op": "not_exists"},
         '(output.a.params): expected no value, got {"n": 1}'),
        ({"output": {"block": "b"}, "op": "exists"},
         "(output.b): block 'b' produced no output"),
        ({"context": {"path": "s"}, "op": "contains", "value": "z"},
         '(context.s): "abc" does not contain "z"'),
        ({"context": {"path": "xs"}, "op": "contains", "value": 4},
         "(context.xs): [1, 2, 3] does not contain 4"),
        ({"context": {"path": "o"}, "op": "contains", "value": {"k": 2}},
         '(context.o): {"k": 1, "m": 2} does not contain {"k": 2}'),
        ({"context": {"path": "nothing"}, "op": "equals", "value": None},
         "(context.nothing): expected a value, but there is none at this path"),
        ({"context": {"path": "z"}, "op": "exists"}, "(context.z): expected a value, got null"),
        ({"context": {"path": "n"}, "op": "in_range", "min": 2},
         "(context.n): 1 is below the minimum 2"),
        ({"context": {"path": "n"}, "op": "in_range", "max": 0.5},
         "(context.n): 1 is above the maximum 0.5"),
        ({"context": {"path": "s"}, "op": "in_range", "min": 0},
         '(context.s): expected a number, got "abc"'),
        ({"context": {"path": "xs[0]"}, "op": "has_type", "expected": "string"},
         "(context.xs[0]): expected a string, got 1"),
        ({"error": {"path": "message"}, "op": "exists"},
         "(error.message): the instance has no error (it is 'completed')"),
    ],
)  # fmt: skip
def test_each_assertion_op_can_fail(assertion: dict[str, Any], expected: str) -> None:
    data = {"n": 1, "s": "abc", "xs": [1, 2, 3], "o": {"k": 1, "m": 2}, "z": None}
    assert failures({"assertions": [assertion]}, input=data) == [f"expect.assertions[0] {expected}"]


def test_assertions_that_hold() -> None:
    data = {"n": 1.0, "s": "abc", "xs": [1, {"k": [2]}], "z": None}
    held = [
        {"context": {"path": "n"}, "op": "equals", "value": 1},
        {"context": {"path": "xs.1.k[0]"}, "op": "equals", "value": 2},
        {"context": {"path": "xs"}, "op": "contains", "value": {"k": [2.0]}},
        {"context": {"path": "z"}, "op": "not_exists"},
        {"context": {"path": "z"}, "op": "has_type", "expected": "null"},
        {"context": {}, "op": "contains", "value": {"s": "abc"}},
        {"output": {"block": "b"}, "op": "not_exists"},
        {"error": {}, "op": "not_exists"},
    ]
    assert run({"assertions": held}, input=data).failures == []


def test_call_counts() -> None:
    assert failures({"call_counts": [{"handler": "work", "min": 2}]}) == [
        "expect.call_counts[0]: handler 'work' was called 1 time, expected at least 2"
    ]
    assert failures({"call_counts": [{"handler": "transform", "max": 0}]}) == [
        "expect.call_counts[0]: handler 'transform' was called 1 time, expected at most 0"
    ]


def test_unmocked_handlers() -> None:
    result = run({"assertions": [{"error": {"path": "message"}, "op": "contains",
                                  "value": "called without a mock"}]}, mocks=[])  # fmt: skip
    assert result.final_state == "failed"
    assert result.failures == ["handler 'work' was called without a mock (unmocked_handlers: fail)"]
    tolerant = run(
        {"assertions": [{"output": {"block": "a"}, "op": "equals", "value": {}}]},
        mocks=[],
        suite={"unmocked_handlers": "empty_success"},
    )
    assert tolerant.passed, tolerant.failures


def test_block_mocks_win_over_handler_mocks() -> None:
    seq = {"name": "two", "blocks": [{"type": "step", "id": "x", "handler": "h"},
                                     {"type": "step", "id": "y", "handler": "h"}]}  # fmt: skip
    mocks = [{"handler": "h", "type": "success", "output": "by handler"},
             {"block": "y", "type": "success", "output": "by block"}]  # fmt: skip
    expect = {"assertions": [{"output": {"block": "x"}, "op": "equals", "value": "by handler"},
                             {"output": {"block": "y"}, "op": "equals", "value": "by block"}],
              "call_counts": [{"handler": "h", "min": 2, "max": 2}]}  # fmt: skip
    assert run(expect, seq=seq, mocks=mocks).passed


def test_references_to_unknown_blocks_and_handlers() -> None:
    found = failures(
        {
            "path": {"traversed": ["a", "zz"]},
            "skipped_blocks": ["b", "cc"],
            "assertions": [{"output": {"block": "q"}, "op": "not_exists"}],
            "call_counts": [{"handler": "nobody", "max": 0}],
        },
        mocks=[*WORKS, {"block": "zz", "type": "echo"}, {"handler": "wrok", "type": "echo"}],
    )
    assert found == [
        "mocks[1]: no step 'zz' in the sequence (it has: a, b, c)",
        "mocks[2]: no step calls handler 'wrok' (it has: noop, transform, work)",
        "expect.path.traversed[1]: no block 'zz' in the sequence (it has: a, b, c)",
        "expect.skipped_blocks[1]: no block 'cc' in the sequence (it has: a, b, c)",
        "expect.assertions[0].output.block: no block 'q' in the sequence (it has: a, b, c)",
        "expect.call_counts[0].handler: no step calls handler 'nobody' (it has: noop, "
        "transform, work)",
        "expect.path.traversed: block 'zz' did not run (ran: a, c)",
    ]


def test_max_ticks() -> None:
    seq = {"name": "flaky", "blocks": [{"type": "step", "id": "a", "handler": "work", "retry": {
        "max_attempts": 5, "initial_backoff": "1s", "max_backoff": "1s"}}]}  # fmt: skip
    mocks = [{"handler": "work", "type": "failure", "message": "down", "retryable": True}]
    result = run({"terminal_state": "failed"}, seq=seq, mocks=mocks, max_ticks=2)
    assert result.failures == [
        "max_ticks: the instance was still 'scheduled' after 2 ticks (the case's limit)",
        "expect.terminal_state: expected 'failed', got 'scheduled'",
    ]
    assert result.ticks == 2
    assert run({"terminal_state": "failed"}, seq=seq, mocks=mocks, max_ticks=5).passed


def test_max_logical_duration() -> None:
    seq = {"name": "slow", "blocks": [{"type": "step", "id": "a", "handler": "noop",
                                       "delay": {"duration": "1d"}}]}  # fmt: skip
    result = run(seq=seq, mocks=[], max_logical_duration_ms=3_600_000)
    assert result.failures == [
        "max_logical_duration_ms: the instance's next timer is 86400000 ms in, beyond the "
        "case's limit of 3600000 ms"
    ]
    assert (result.final_state, result.logical_ms) == ("scheduled", 0)
    assert run(seq=seq, mocks=[], max_logical_duration_ms=86_400_000).passed

    nap = {"name": "nap", "blocks": [{"type": "step", "id": "a", "handler": "sleep",
                                      "params": {"duration_ms": 7_200_000}}]}  # fmt: skip
    assert failures(seq=nap, mocks=[], max_logical_duration_ms=3_600_000) == [
        "max_logical_duration_ms: 7200000 ms of virtual time passed, beyond the case's "
        "limit of 3600000 ms"
    ]


def test_a_parent_waiting_for_items_on_timers() -> None:
    nap = {"type": "step", "id": "w", "handler": "noop", "delay": {"duration": "1h"}}
    each = {"type": "for_each", "id": "e", "max_parallel": 2, "collection": "context.data.xs",
            "body": [nap]}  # fmt: skip
    fan = {"name": "fan", "blocks": [each]}
    result = run({"terminal_state": "completed"}, seq=fan, mocks=[], input={"xs": [1, 2, 3]})
    assert result.passed, result.failures
    assert result.logical_ms == 7_200_000  # two rounds of items, an hour each
    short = run(seq=fan, mocks=[], input={"xs": [1, 2, 3]}, max_logical_duration_ms=60_000)
    assert short.failures == [
        "max_logical_duration_ms: a child instance's next timer is 3600000 ms in, beyond the "
        "case's limit of 60000 ms"
    ]
    ticks = run(seq=fan, mocks=[], input={"xs": [1, 2, 3]}, max_ticks=2)
    assert ticks.failures[0].startswith("max_ticks: the instance was still waiting for child")


def test_signals_that_cannot_be_delivered() -> None:
    assert failures(signals=[{"signal_type": "cancel"}]) == [
        "signals[0] (cancel) was never sent: the instance ended 'completed' before it parked again"
    ]
    seq = {"name": "later", "blocks": [{"type": "step", "id": "a", "handler": "noop",
                                        "delay": {"duration": "1h"}}]}  # fmt: skip
    assert failures(seq=seq, mocks=[], signals=[{"signal_type": "pause"}]) == [
        "the instance did not finish: it is 'paused' with nothing left to wake it (after 2 ticks)"
    ]


def test_sequences_and_instances_that_cannot_run() -> None:
    window = {"type": "step", "id": "p", "handler": "wasm://resize"}
    later = {"name": "fan", "blocks": [window]}
    result = run(seq=later, mocks=[])
    assert result.final_state is None
    [line] = result.failures
    assert line.startswith("the sequence cannot run: this sequence uses features")
    assert "blocks[0].handler ('p'): plugin handlers are not available yet" in line

    strict = {**FLOW, "input_schema": {"type": "object", "required": ["n", "m"]}}
    [line] = failures(seq=strict)
    assert line.startswith("the instance could not start: invalid instance")
    assert "'m' is a required property" in line


def test_run_suite_and_files() -> None:
    suite = load_suite({"sequence": FLOW, "cases": [
        {"name": "ok", "input": {"n": 1}, "mocks": WORKS, "expect": {}},
        {"name": "bad", "input": {"n": 1}, "mocks": WORKS,
         "expect": {"terminal_state": "failed"}}]})  # fmt: skip
    result = run_suite(suite)
    assert result.path is None
    assert [c.name for c in result.cases] == ["ok", "bad"]
    assert not result.passed
    assert [c.name for c in result.failed] == ["bad"]

    checkout = run_contract_file(SUITES / "checkout.contracts.json")
    assert checkout.path == (SUITES / "checkout.contracts.json").resolve()
    assert checkout.passed

    no_sequence = load_suite({"cases": [{"name": "x", "expect": {}}]})
    with pytest.raises(ContractError, match="no sequence to test"):
        run_suite(no_sequence)
    assert run_suite(no_sequence, sequence=FLOW).cases[0].failures == [
        "handler 'work' was called without a mock (unmocked_handlers: fail)"
    ]


def test_runs_repeat_exactly() -> None:
    a = run({"terminal_state": "completed"}, input={"n": 3})
    b = run({"terminal_state": "completed"}, input={"n": 3})
    assert (a.traversed, a.calls, a.ticks, a.logical_ms) == (
        b.traversed,
        b.calls,
        b.ticks,
        b.logical_ms,
    )
