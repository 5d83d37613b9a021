"""Rate limits: steps with a rate_limit_key share a fixed window; over it they wait."""

from __future__ import annotations

from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext
from orch8_nb.errors import InputValidationError


@pytest.fixture
def engine(make_engine: Any, backend: str) -> Engine:
    return make_engine(backend, autostart=False)  # type: ignore[no-any-return]


def test_steps_over_the_limit_wait_for_the_next_window(engine: Engine) -> None:
    sent: list[int] = []

    @engine.handler("send_mail")
    def send_mail(ctx: StepContext) -> None:
        sent.append(engine.clock.now_ms())

    engine.set_rate_limit("mail:sales", 2, "1m")
    seq = o8.sequence(
        "mail", o8.step("send", "send_mail", rate_limit_key="mail:{{ context.data.team }}")
    )
    start = engine.clock.now_ms()
    insts = [engine.create_instance(seq, {"team": "sales"}) for _ in range(5)]
    other = engine.create_instance(seq, {"team": "ops"})  # a key without a limit
    engine.run_until_idle()
    assert {i.state for i in [*insts, other]} == {"completed"}
    sent.remove(min(sent))  # the "ops" mail went at once
    windows = sorted((t - start) // 60_000 for t in sent)
    assert windows == [0, 0, 1, 1, 2]  # two per minute
    assert sum(a.event_type == "rate_limited" for i in insts for a in i.audit()) >= 3
    [limit] = engine.rate_limits()
    assert (limit["max_count"], limit["window_ms"]) == (2, 60_000)
    assert engine.delete_rate_limit("mail:sales") is True
    assert engine.rate_limits() == []


def test_a_key_without_a_limit_is_unlimited(engine: Engine) -> None:
    seq = o8.sequence("free", o8.step("s", "noop", rate_limit_key="nobody-limits-this"))
    insts = [engine.create_instance(seq) for _ in range(3)]
    engine.run_until_idle()
    assert {i.state for i in insts} == {"completed"}


def test_bad_limits_are_refused_with_their_paths(engine: Engine) -> None:
    with pytest.raises(InputValidationError) as caught:
        engine.set_rate_limit("", 0, "soon")
    assert caught.value.paths == ["key", "max_count", "window"]


def test_operator_actions_are_audited(make_engine: Any, tmp_path: Any) -> None:
    import sqlite3

    db = tmp_path / "ops.db"
    engine = make_engine(f"sqlite:///{db}", autostart=False)
    engine.set_rate_limit("mail", 5, "1m")
    engine.delete_rate_limit("mail")
    engine.reset_circuit_breaker("pay")
    engine.create_session("s-1")
    engine.shutdown()
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT event_type FROM audit_log WHERE instance_id IS NULL ORDER BY seq"
        ).fetchall()
    assert [r[0] for r in rows] == [
        "rate_limit_set", "rate_limit_deleted", "breaker_reset", "session_created",
    ]  # fmt: skip
