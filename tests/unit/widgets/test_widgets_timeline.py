"""Timeline: bars from the audit log, relative to the first one."""

from __future__ import annotations

from typing import Any

from orch8_nb import dsl
from orch8_nb.engine import Engine
from orch8_nb.model import AuditEntry
from orch8_nb.model.timestamps import ms_to_datetime
from orch8_nb.widgets import Timeline
from orch8_nb.widgets.timeline import short_id, timeline_bars

A = "019b76da-a800-7000-8000-00000000aaaa"
B = "019b76da-a800-7000-8000-00000000bbbb"


def attempt(instance: str, block: str, n: int, start: int, ms: float, outcome: str) -> AuditEntry:
    return AuditEntry(
        id=f"{instance}-{block}-{n}", instance_id=instance, tenant_id="default",
        event_type="step_attempt", block_id=block, created_at=ms_to_datetime(start),
        details={"handler": "h", "attempt": n, "outcome": outcome, "started_at": start,
                 "duration_ms": ms},
    )  # fmt: skip


def test_bars_from_known_audit_rows() -> None:
    other = AuditEntry(
        id="x", instance_id=A, tenant_id="default", event_type="state_transition",
        from_state="scheduled", to_state="running", created_at=ms_to_datetime(1_000), details={},
    )  # fmt: skip
    bars = timeline_bars(
        [
            (A, [other, attempt(A, "fetch", 0, 1_000, 12.5, "retrying"),
                 attempt(A, "fetch", 1, 1_100, 3, "completed")]),
            (B, [attempt(B, "fetch", 0, 1_050, 7.25, "cached"),
                 attempt(B, "ship", 0, 1_060, 0.5, "failed")]),
        ]
    )  # fmt: skip
    assert bars == [
        {"instance": "…0000aaaa", "block_id": "fetch", "attempt": 1, "start_ms": 0,
         "end_ms": 12.5, "outcome": "retried"},
        {"instance": "…0000bbbb", "block_id": "fetch", "attempt": 1, "start_ms": 50,
         "end_ms": 57.25, "outcome": "completed"},
        {"instance": "…0000bbbb", "block_id": "ship", "attempt": 1, "start_ms": 60,
         "end_ms": 60.5, "outcome": "failed"},
        {"instance": "…0000aaaa", "block_id": "fetch", "attempt": 2, "start_ms": 100,
         "end_ms": 103, "outcome": "completed"},
    ]  # fmt: skip
    assert timeline_bars([]) == [] and timeline_bars([(A, [other])]) == []
    assert short_id(A) == "…0000aaaa"


def test_a_timeline_of_real_runs(eng: Engine) -> None:
    calls: list[int] = []

    @eng.handler("flaky")
    def flaky(ctx: Any) -> dict[str, Any]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("once")
        return {}

    seq = dsl.sequence(
        "tl", dsl.step("a", "flaky", retry=dsl.retry(max_attempts=2, initial_backoff=1_000)),
        dsl.step("b", "noop"),
    )  # fmt: skip
    first = eng.create_instance(seq)
    eng.run_until_idle()
    second = eng.create_instance(seq)
    eng.run_until_idle()

    timeline = Timeline(first)
    assert timeline._kind == "timeline"
    shape = [(b["block_id"], b["attempt"], b["start_ms"], b["outcome"]) for b in timeline.bars]
    assert shape == [("a", 1, 0, "retried"), ("a", 2, 1_000, "completed"),
                     ("b", 1, 1_000, "completed")]  # fmt: skip
    assert all(b["end_ms"] >= b["start_ms"] for b in timeline.bars)

    both = Timeline(eng)
    assert {b["instance"] for b in both.bars} == {short_id(first.id), short_id(second.id)}
    assert len(both.bars) == 5
    assert Timeline([second]).bars[0]["start_ms"] == 0
    assert both._repr_mimebundle_()[0]["text/plain"] == "Timeline: 5 attempts of 2 instances"

    eng.create_instance(seq)  # a third run
    eng.run_until_idle()
    both.refresh()
    assert len(both.bars) == 7
