"""Worker leases: heartbeats keep a claim, a silent worker's task returns to ``pending``
after 60 s (and a stale lease is refused), a task past its ``timeout_ms`` fails. On a
virtual clock, with ``reap_worker_tasks`` standing in for the engine's periodic sweep."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine
from orch8_nb.errors import ConflictError

EXTERNAL = o8.sequence("ext", o8.step("x", "external"))


@pytest.fixture
def engine(make_engine: Callable[..., Engine], backend: str) -> Engine:
    return make_engine(backend, autostart=False)


def claim(engine: Engine, seq: object = EXTERNAL) -> tuple[o8.Instance, object]:
    with pytest.warns(o8.UnregisteredHandlerWarning):
        inst = engine.create_instance(seq)  # type: ignore[arg-type]
    engine.run_until_idle()
    [task] = engine.poll_tasks("external", "w1")
    return inst, task


def test_a_silent_worker_loses_its_task_and_its_late_answer(engine: Engine) -> None:
    inst, task = claim(engine)
    engine.clock.advance(30_000)  # type: ignore[attr-defined]
    engine.heartbeat_task(task.id, "w1")  # still alive at 30 s
    engine.clock.advance(45_000)  # type: ignore[attr-defined]
    assert engine.reap_worker_tasks() == (0, 0)  # 45 s since the last heartbeat
    engine.clock.advance(20_000)  # type: ignore[attr-defined]
    assert engine.reap_worker_tasks() == (1, 0)  # 65 s: back to pending
    with pytest.raises(ConflictError):
        engine.heartbeat_task(task.id, "w1")
    with pytest.raises(ConflictError):
        engine.complete_task(task.id, "w1", {"late": True}, claim_epoch=task.claim_epoch)
    [again] = engine.poll_tasks("external", "w2")
    assert again.id == task.id and again.claim_epoch == task.claim_epoch + 1
    engine.complete_task(again.id, "w2", {"ok": True}, claim_epoch=again.claim_epoch)
    engine.run_until_idle()
    assert inst.state == "completed" and inst.outputs["x"] == {"ok": True}


def test_a_task_past_its_timeout_fails_and_the_retry_policy_applies(engine: Engine) -> None:
    seq = o8.sequence("slow", o8.step("x", "external", timeout="10s", retry=o8.retry(2, "1s")))
    inst, _ = claim(engine, seq)
    engine.clock.advance(5_000)  # type: ignore[attr-defined]
    assert engine.reap_worker_tasks() == (0, 0)
    engine.clock.advance(6_000)  # type: ignore[attr-defined]
    assert engine.reap_worker_tasks() == (0, 1)
    engine.run_until_idle()
    [retried] = engine.poll_tasks("external", "w1")
    assert retried.attempt == 1
    attempts = [a.details for a in inst.audit() if a.event_type == "step_attempt"]
    assert attempts[0]["outcome"] == "retrying"
    assert attempts[0]["error"]["kind"] == "timeout" and "timed out after 10000 ms" in (
        attempts[0]["error"]["message"])  # fmt: skip
