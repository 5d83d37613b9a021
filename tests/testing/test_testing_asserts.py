"""Assertion helpers: they pass on the right facts and explain themselves when they fail."""

from __future__ import annotations

import re

import pytest

import orch8_nb as o8
from orch8_nb.testing import (
    EngineEnv,
    Failure,
    assert_audit,
    assert_called,
    assert_completed,
    assert_failed,
    assert_output,
    assert_path,
    assert_skipped,
    assert_state,
)
from orch8_nb.testing.asserts import select


@pytest.fixture
def done(engine_env: EngineEnv) -> o8.Instance:
    """A completed instance: a, b ran; vip skipped; c retried once."""
    engine_env.mock("lookup", output={"user": {"tags": ["a", "b"], "plan": "pro"}})
    engine_env.mock("flaky", script=[Failure("blip")], output={"ok": True})
    seq = o8.sequence(
        "features",
        o8.step("a", "lookup"),
        o8.step("vip", "noop", when="outputs.a.user.plan == 'enterprise'"),
        o8.step("c", "flaky", retry=o8.retry(3, initial_backoff="1h", max_backoff="1h")),
        o8.step("b", "transform", params={"first": "{{ outputs.a.user.tags[0] }}"}),
    )
    return engine_env.run(seq)


@pytest.fixture
def failed(engine_env: EngineEnv) -> o8.Instance:
    engine_env.mock("charge", fail="card declined", retryable=False, code="declined")
    return engine_env.run(o8.sequence("pay", o8.step("ok", "noop"), o8.step("pay", "charge")))


def failure(call: object) -> str:
    assert isinstance(call, pytest.ExceptionInfo)
    return str(call.value)


def test_state_helpers_pass(done: o8.Instance, failed: o8.Instance) -> None:
    assert assert_completed(done) is done
    assert assert_state(failed, "failed") is failed
    error = assert_failed(failed, "declined", block_id="pay")
    assert error["code"] == "declined"


def test_assert_completed_shows_the_tree_and_the_error(failed: o8.Instance) -> None:
    with pytest.raises(AssertionError) as caught:
        assert_completed(failed)
    text = failure(caught)
    assert f"expected instance {failed.id} to be completed" in text
    assert "got failed" in text
    assert "instance of pay v1" in text  # the tree
    assert "step pay" in text and "card declined" in text
    assert '"code": "declined"' in text  # the error


def test_assert_failed_checks_message_and_block(done: o8.Instance, failed: o8.Instance) -> None:
    with pytest.raises(AssertionError, match="to be failed"):
        assert_failed(done)
    with pytest.raises(AssertionError, match="containing 'insufficient funds'"):
        assert_failed(failed, "insufficient funds")
    with pytest.raises(AssertionError, match="block 'ok' to have failed"):
        assert_failed(failed, block_id="ok")


def test_assert_output(done: o8.Instance) -> None:
    assert assert_output(done, "b", {"first": "a"}) == {"first": "a"}
    assert assert_output(done, "a", "b", path="user.tags[1]") == "b"
    assert assert_output(done, "a", path=["user", "plan"]) == "pro"
    assert assert_output(done, "a") == {"user": {"tags": ["a", "b"], "plan": "pro"}}


def test_assert_output_failures(done: o8.Instance) -> None:
    with pytest.raises(AssertionError) as caught:
        assert_output(done, "a", "free", path="user.plan")
    text = failure(caught)
    assert "expected output of 'a' at 'user.plan' == \"free\"" in text
    assert 'got "pro"' in text
    assert "instance of features v1" in text
    with pytest.raises(AssertionError, match=r"an output of block 'vip'\n.*outputs for \['a',"):
        assert_output(done, "vip")
    with pytest.raises(AssertionError, match=r"no such path \(KeyError\('nope'\)\)"):
        assert_output(done, "a", path="user.nope")
    with pytest.raises(AssertionError, match="no such path"):
        assert_output(done, "a", path="user.tags[5]")


def test_select_reads_paths() -> None:
    doc = {"a": {"b": [10, {"c": 3}], "x.y": 1, "0": "zero"}}
    assert select(doc, "a.b[0]") == 10
    assert select(doc, "a.b[-1].c") == 3
    assert select(doc, "a.b.1.c") == 3  # a number after a dot indexes a list
    assert select(doc, 'a["x.y"]') == 1
    assert select(doc, "a['0']") == "zero"
    assert select(doc, ["a", "b", 1, "c"]) == 3
    with pytest.raises(TypeError):
        select(doc, "a.b[0].c")
    with pytest.raises(ValueError, match="cannot read path"):
        select(doc, "a..b")


def test_assert_path(done: o8.Instance) -> None:
    assert assert_path(done, ["a", "c", "b"]) == ["a", "c", "b"]
    assert_path(done, ["b", "a", "c"], ordered=False)
    with pytest.raises(AssertionError) as caught:
        assert_path(done, ["a", "b", "c"])
    text = failure(caught)
    assert "expected completed blocks ['a', 'b', 'c'] (in this order)" in text
    assert "got ['a', 'c', 'b']" in text
    with pytest.raises(AssertionError, match=r"\(in any order\)"):
        assert_path(done, ["a", "b"], ordered=False)


def test_assert_path_of_a_failed_instance(failed: o8.Instance) -> None:
    assert_path(failed, ["ok"])


def test_assert_skipped(done: o8.Instance) -> None:
    assert assert_skipped(done, ["vip"]) == ["vip"]
    assert assert_skipped(done, []) == ["vip"]
    with pytest.raises(AssertionError) as caught:
        assert_skipped(done, ["vip", "a", "ghost"])
    text = failure(caught)
    assert "expected skipped blocks ['a', 'ghost']" in text
    assert "'a': 'completed'" in text and "'ghost': 'not reached'" in text
    assert "(skipped: ['vip'])" in text


def test_assert_audit(done: o8.Instance, failed: o8.Instance) -> None:
    [retry] = assert_audit(done, "step_attempt", block_id="c", outcome="retrying")
    assert retry.details["attempt"] == 0
    assert_audit(done, "step_attempt", times=3, outcome="completed")
    assert_audit(done, "step_skipped", block_id="vip")
    assert_audit(done, "state_transition", reason="created")
    assert_audit(failed, "state_transition", error={"code": "declined"})  # a nested subset


def test_assert_audit_failure_lists_the_entries_of_that_type(done: o8.Instance) -> None:
    with pytest.raises(AssertionError) as caught:
        assert_audit(done, "step_attempt", block_id="c", times=3)
    text = failure(caught)
    assert "expected 3 audit entries 'step_attempt' for block 'c'" in text
    assert "got 2 matching; 'step_attempt' entries:" in text
    assert re.search(r"step_attempt block=c .*\"outcome\": \"retrying\"", text)
    with pytest.raises(AssertionError, match=r"(?s)an audit entry 'signal_delivered'.*\(none\)"):
        assert_audit(done, "signal_delivered")
    with pytest.raises(AssertionError, match=r"with details including \{\"outcome\": \"cached\"\}"):
        assert_audit(done, "step_attempt", outcome="cached")


def test_assert_called(engine_env: EngineEnv) -> None:
    mock = engine_env.mock("work", output=1)
    with pytest.raises(AssertionError, match=r"mock 'work' to be called at least 1 time\(s\)"):
        assert_called(mock)
    engine_env.run(o8.sequence("w", o8.step("a", "work"), o8.step("b", "work")))
    assert len(assert_called(mock)) == 2
    assert_called(mock, times=2)
    assert_called(mock, min=1, max=2)
    assert_called(mock, times=1, block_id="b")
    with pytest.raises(AssertionError) as caught:
        assert_called(mock, max=1)
    text = failure(caught)
    assert "expected mock 'work' to be called at most 1 time(s)" in text
    assert "got 2 call(s):" in text
    assert "a attempt 0 of" in text and "b attempt 0 of" in text
    with pytest.raises(AssertionError, match="exactly 3 and at least 3"):
        assert_called(mock, times=3, min=3)
