"""Human-input gates: approvals listing, answers, invalid answers, timeouts, escalation."""

from __future__ import annotations

from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine
from orch8_nb.errors import SignalValidationError


def gated(**gate: Any) -> o8.SequenceDefinition:
    return o8.sequence(
        "ship",
        o8.step("pack", "noop"),
        o8.step("approve", "transform", params={"ok": "{{ data.decision }}"},
                wait_for_input={"prompt": "Ship it?", "store_as": "decision", **gate}),
        o8.step("send", "noop"),
    )  # fmt: skip


def test_gate_waits_then_runs_after_approval(engine: Engine) -> None:
    inst = engine.create_instance(gated())
    engine.run_until_idle()
    assert inst.state == "waiting"
    [item] = engine.pending_approvals()
    assert (item["instance_id"], item["block_id"], item["prompt"]) == (inst.id, "approve",
                                                                        "Ship it?")  # fmt: skip
    assert [c["value"] for c in item["choices"]] == ["yes", "no"]
    inst.approve("approve", "yes")
    engine.run_until_idle()
    assert inst.state == "completed"
    rows = [r.output for r in inst.output_rows() if r.block_id == "approve"]
    assert rows == [{"value": "yes", "_orch8_human_gate": True}, {"ok": "yes"}]
    assert inst.data["decision"] == "yes"
    assert engine.pending_approvals() == []


def test_custom_choices_comment_and_bad_answers(engine: Engine) -> None:
    choices = [{"label": "Ship now", "value": "now"}, {"label": "Hold", "value": "hold"}]
    inst = engine.create_instance(gated(choices=choices, allow_comment=True))
    engine.run_until_idle()
    with pytest.raises(SignalValidationError, match="not a choice"):
        inst.approve("approve", "yes")
    # A raw signal with a bad value is consumed and recorded, not retried forever.
    inst.signal({"custom": "human_input:approve"}, {"value": "maybe"})
    engine.run_until_idle()
    assert inst.state == "waiting"
    assert any(a.event_type == "signal_ignored" for a in inst.audit())
    inst.approve("approve", "hold", comment="after the holidays")
    engine.run_until_idle()
    assert inst.state == "completed"
    gate_row = next(r.output for r in inst.output_rows() if r.block_id == "approve")
    assert gate_row == {"value": "hold", "_orch8_human_gate": True,
                        "comment": "after the holidays"}  # fmt: skip


def test_timeout_without_escalation_fails_the_step(engine: Engine) -> None:
    inst = engine.create_instance(gated(timeout="2h"))
    engine.run_until_idle()  # virtual time jumps to the gate's deadline
    assert inst.state == "failed"
    assert "no human input within 7200 s" in inst.error["message"]


def test_timeout_with_escalation_records_it_and_continues(engine: Engine) -> None:
    inst = engine.create_instance(gated(timeout="30m", escalation_handler="page_manager"))
    engine.run_until_idle()
    assert inst.state == "completed"
    assert inst.outputs["approve"] == {
        "_escalated": True, "_escalation_handler": "page_manager", "_timeout_seconds": 1800.0,
    }  # fmt: skip


def test_answer_before_the_timeout_wins(engine: Engine) -> None:
    inst = engine.create_instance(gated(timeout="2h"))
    engine.tick_once()
    assert inst.state == "scheduled"  # sleeping until the deadline
    inst.approve("approve", "no")
    engine.run_until_idle()
    assert inst.state == "completed" and inst.data["decision"] == "no"


def test_gates_inside_a_loop_ask_every_iteration(engine: Engine) -> None:
    seq = o8.sequence(
        "twice",
        o8.loop("l", "true", [o8.step("ask", "noop", wait_for_input={"prompt": "again?"})],
                max_iterations=2),
    )  # fmt: skip
    inst = engine.create_instance(seq)
    for _ in range(2):
        engine.run_until_idle()
        assert [i["block_id"] for i in engine.pending_approvals()] == ["ask"]
        inst.approve("ask")
    engine.run_until_idle()
    assert inst.state == "completed"
