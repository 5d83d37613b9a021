"""The plugin's fixtures as a test sees them: engine_env and the mock_handler factory.

(This repository's own conftest overrides ``engine``; ``test_testing_plugin.py`` checks the
plugin's ``engine`` in a clean pytester run.)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import orch8_nb as o8
from orch8_nb.testing import (
    EngineEnv,
    Failure,
    MockHandler,
    Success,
    assert_called,
    assert_completed,
    assert_failed,
)

MockFactory = Callable[..., MockHandler]


def test_engine_env_is_in_memory_on_a_virtual_clock(engine_env: EngineEnv) -> None:
    assert engine_env.engine.url == "sqlite://:memory:"
    assert engine_env.engine.clock.virtual
    assert engine_env.now() == o8.VirtualClock().now_ms()
    assert not engine_env.closed


def test_mock_handler_returns_its_output(engine_env: EngineEnv, mock_handler: MockFactory) -> None:
    lookup = mock_handler("lookup", output={"plan": "pro"})
    seq = o8.sequence("s", o8.step("a", "lookup", params={"id": "{{ data.id }}"}))
    assert engine_env.result(engine_env.start(seq, {"id": 7})) == {"a": {"plan": "pro"}}
    assert lookup.call_count == 1
    assert lookup.calls[0].params == {"id": 7}
    assert engine_env.mocks["lookup"] is lookup
    assert "lookup" in engine_env.engine.handlers


def test_mock_handler_permanent_failure(engine_env: EngineEnv, mock_handler: MockFactory) -> None:
    charge = mock_handler("charge", fail="card declined", retryable=False, code="declined")
    seq = o8.sequence("pay", o8.step("charge", "charge", retry=o8.retry(3)))
    inst = engine_env.run(seq)
    error = assert_failed(inst, "card declined", block_id="charge")
    assert error["retryable"] is False
    assert error["code"] == "declined"
    assert_called(charge, times=1)  # permanent: never retried


def test_mock_handler_retryable_failure_uses_the_policy(
    engine_env: EngineEnv, mock_handler: MockFactory
) -> None:
    flaky = mock_handler("flaky", fail="timeout", details={"status": 503})
    inst = engine_env.run(o8.sequence("f", o8.step("a", "flaky", retry=o8.retry(4))))
    assert_failed(inst, "timeout")
    assert inst.error is not None and inst.error["details"] == {"status": 503}
    assert_called(flaky, times=4)


def test_mock_handler_script_per_attempt(engine_env: EngineEnv, mock_handler: MockFactory) -> None:
    charge = mock_handler(
        "charge", script=[Failure("down"), Failure("still down"), Success({"ok": 1})]
    )
    seq = o8.sequence("pay", o8.step("charge", "charge", retry=o8.retry(5)))
    first = engine_env.run(seq)
    second = engine_env.run(seq)  # the script restarts for every instance's step
    assert first.outputs == second.outputs == {"charge": {"ok": 1}}
    assert [c.attempt for c in charge.calls_for("charge")] == [0, 1, 2, 0, 1, 2]
    assert_called(charge, times=6)


def test_mock_handler_script_items_may_be_plain_outputs(
    engine_env: EngineEnv, mock_handler: MockFactory
) -> None:
    counter = mock_handler("count", script=[1, 2], then=Failure("no more", retryable=False))
    seq = o8.sequence("c", o8.step("a", "count"), o8.step("b", "count"), o8.step("c", "count"))
    inst = engine_env.run(seq)
    assert_completed(inst)  # per block: each block's first attempt gets the first item
    assert inst.outputs == {"a": 1, "b": 1, "c": 1}
    assert counter.call_count == 3


def test_mock_handler_answer_after_a_script(
    engine_env: EngineEnv, mock_handler: MockFactory
) -> None:
    mock_handler("pay", script=[Failure("busy")], fail="declined", retryable=False)
    inst = engine_env.run(o8.sequence("p", o8.step("a", "pay", retry=o8.retry(5))))
    assert_failed(inst, "declined")
    assert [(r.output_ref, r.attempt) for r in inst.output_rows()] == [
        ("__retry__", 0),
        ("__error__", 1),
    ]


def test_mock_handler_replaces_a_handler(engine_env: EngineEnv, mock_handler: MockFactory) -> None:
    mock_handler("noop", output="mocked")
    assert engine_env.result(engine_env.start(o8.sequence("n", o8.step("a", "noop")))) == {
        "a": "mocked"
    }


def test_mock_handler_refuses_output_and_fail(mock_handler: MockFactory) -> None:
    with pytest.raises(ValueError, match="not both"):
        mock_handler("x", output=1, fail="boom")


@pytest.mark.orch8(start_ms=0, max_duration="1h")
def test_the_orch8_marker_configures_the_env(engine_env: EngineEnv) -> None:
    assert engine_env.now() == 0
    assert engine_env.max_duration_ms == 3_600_000
