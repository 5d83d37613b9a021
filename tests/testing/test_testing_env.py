"""EngineEnv: virtual time driven by the test, waits that skip timers, clear stuck errors."""

from __future__ import annotations

import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import orch8_nb as o8
from orch8_nb.model import StepDef
from orch8_nb.testing import (
    EngineEnv,
    Failure,
    InstanceFailedError,
    StuckInstanceError,
    assert_called,
    assert_completed,
)

HOUR = 3_600_000
DAY = 24 * HOUR


def later(block_id: str, by: str) -> StepDef:
    """A no-op step behind a durable delay."""
    return o8.step(block_id, "noop", delay={"duration": by})


def quietly_start(env: EngineEnv, seq: o8.SequenceDefinition) -> o8.Instance:
    """Start a sequence naming handlers nobody registered (they become worker tasks)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", o8.UnregisteredHandlerWarning)
        return env.start(seq)


def test_a_thirty_day_delay_completes_in_under_a_second(engine_env: EngineEnv) -> None:
    seq = o8.sequence(
        "monthly", o8.step("wait", "noop", delay={"duration": "30d"}), o8.step("go", "noop")
    )
    began = time.perf_counter()
    inst = engine_env.start(seq)
    outputs = engine_env.result(inst)
    elapsed = time.perf_counter() - began
    assert outputs == {"wait": {}, "go": {}}
    assert elapsed < 1.0
    assert engine_env.now() - o8.VirtualClock().now_ms() == 30 * DAY


def test_hours_long_retry_backoff_runs_in_virtual_time(engine_env: EngineEnv) -> None:
    charge = engine_env.mock(
        "charge", script=[Failure("gateway down"), Failure("gateway down"), {"ok": True}]
    )
    policy = o8.retry(5, initial_backoff="2h", max_backoff="10h", multiplier=3)
    began = engine_env.now()
    inst = engine_env.run(o8.sequence("pay", o8.step("charge", "charge", retry=policy)))
    assert_completed(inst)
    assert_called(charge, times=3)
    assert [c.attempt for c in charge.calls] == [0, 1, 2]
    assert engine_env.now() - began == 2 * HOUR + 6 * HOUR


def test_the_sleep_builtin_is_skipped(engine_env: EngineEnv) -> None:
    seq = o8.sequence("nap", o8.step("nap", "sleep", params={"duration_ms": 5 * HOUR}))
    began = engine_env.now()
    assert engine_env.result(engine_env.start(seq)) == {"nap": {"slept_ms": 5 * HOUR}}
    assert engine_env.now() - began == 5 * HOUR


def test_waiting_for_a_worker_raises_instead_of_hanging(engine_env: EngineEnv) -> None:
    inst = quietly_start(engine_env, o8.sequence("mail", o8.step("send", "send_email")))
    with pytest.raises(StuckInstanceError) as caught:
        engine_env.wait(inst)
    err = caught.value
    assert err.state == "waiting"
    assert err.instance_id == inst.id
    assert err.waiting_for == [
        "step 'send' waits for an external worker (handler 'send_email', not registered)"
    ]
    text = str(err)
    assert "it is waiting" in text
    assert "env.mock" in text
    assert "worker: send_email" in text  # the instance tree


def test_a_child_on_a_timer_is_waited_for_and_a_stuck_child_is_named(
    engine_env: EngineEnv,
) -> None:
    engine_env.engine.upsert_sequence(
        o8.sequence("later", o8.step("nap", "noop", delay="3d"), o8.step("done", "noop"))
    )
    inst = engine_env.run(o8.sequence("parent", o8.sub_sequence("call", "later")))
    assert inst.state == "completed"  # the wait jumped the child's three-day timer

    with pytest.warns(o8.UnregisteredHandlerWarning):
        engine_env.engine.upsert_sequence(o8.sequence("mailer", o8.step("send", "send_email")))
    stuck = engine_env.start(o8.sequence("outer", o8.sub_sequence("call", "mailer")))
    with pytest.raises(StuckInstanceError) as caught:
        engine_env.wait(stuck)
    [child] = stuck.children()
    assert caught.value.waiting_for == [
        "block 'call' waits for a child instance",
        f"child {child.id} is waiting",
        "  step 'send' waits for an external worker (handler 'send_email', not registered)",
    ]


def test_registering_the_handler_later_lets_the_wait_finish(engine_env: EngineEnv) -> None:
    inst = quietly_start(engine_env, o8.sequence("mail", o8.step("send", "send_email")))
    engine_env.run_until_idle()
    assert inst.state == "waiting"
    engine_env.mock("send_email", output={"id": "m-1"})
    assert engine_env.result(inst) == {"send": {"id": "m-1"}}


def test_a_paused_instance_raises(engine_env: EngineEnv) -> None:
    inst = engine_env.start(o8.sequence("p", later("a", "1h")))
    inst.pause()
    with pytest.raises(StuckInstanceError, match=r"it is paused\n  only a resume signal"):
        engine_env.wait(inst)
    inst.resume()
    assert_completed(engine_env.wait(inst))


def test_a_timer_past_max_duration_raises(engine_env: EngineEnv) -> None:
    inst = engine_env.start(o8.sequence("slow", later("a", "400d")))
    began = engine_env.now()
    with pytest.raises(StuckInstanceError, match=r"past max_duration \(366d\)") as caught:
        engine_env.wait(inst)
    assert caught.value.state == "scheduled"
    assert engine_env.now() == began  # gave up without moving time
    with pytest.raises(StuckInstanceError, match=r"past max_duration \(1d\)"):
        engine_env.wait(inst, max_duration=timedelta(days=1))
    assert_completed(engine_env.wait(inst, max_duration="401d"))


def test_max_ticks_bounds_the_timers_fired(engine_env: EngineEnv) -> None:
    steps = [later(f"s{i}", "1m") for i in range(3)]
    inst = engine_env.start(o8.sequence("ticks", *steps))
    with pytest.raises(StuckInstanceError, match=r"after max_ticks \(2\) jumps to a timer"):
        engine_env.wait(inst, max_ticks=2)
    assert_completed(engine_env.wait(inst))


def test_wait_stops_when_its_instance_is_done(engine_env: EngineEnv) -> None:
    short = engine_env.start(o8.sequence("short", later("a", "1h")))
    long = engine_env.start(o8.sequence("long", later("a", "30d")))
    began = engine_env.now()
    engine_env.wait(short.id)  # an id works too
    assert engine_env.now() - began == HOUR
    assert long.state == "scheduled"


def test_result_raises_with_the_error_of_a_failed_instance(engine_env: EngineEnv) -> None:
    engine_env.mock("charge", fail="card declined", retryable=False, code="declined")
    inst = engine_env.start(o8.sequence("pay", o8.step("charge", "charge")))
    with pytest.raises(InstanceFailedError, match="failed instead of completing") as caught:
        engine_env.result(inst)
    assert caught.value.state == "failed"
    assert caught.value.error["code"] == "declined"
    assert "card declined" in str(caught.value)


def test_a_cancelled_instance_is_done_but_has_no_result(engine_env: EngineEnv) -> None:
    inst = engine_env.start(o8.sequence("c", later("a", "1h")))
    engine_env.advance("1m")
    assert inst.state == "scheduled"
    inst.cancel()
    assert engine_env.wait(inst).state == "cancelled"
    with pytest.raises(InstanceFailedError, match="cancelled instead of completing"):
        engine_env.result(inst)


def test_advance_fires_timers_in_the_window_in_order(engine_env: EngineEnv) -> None:
    seq = o8.sequence("two", later("a", "1h"), later("b", "30m"))
    inst = engine_env.start(seq)
    began = engine_env.now()
    assert engine_env.advance("59m") == began + 59 * 60_000
    assert inst.state == "scheduled"
    assert inst.outputs == {}
    engine_env.advance(timedelta(minutes=61))  # 2 h in all: a at 1 h, b at 1 h 30
    assert_completed(inst)
    done = {n.block_id: n.completed_at for n in inst.tree()}
    start = datetime.fromtimestamp(began / 1000, UTC)
    assert done == {"a": start + timedelta(hours=1), "b": start + timedelta(minutes=90)}
    assert engine_env.now() == began + 2 * HOUR


def test_advance_accepts_every_duration_form(engine_env: EngineEnv) -> None:
    began = engine_env.now()
    engine_env.advance(1500)  # integer milliseconds
    engine_env.advance("2s")
    engine_env.advance(timedelta(seconds=3))
    engine_env.advance(0.5)  # a float is seconds, as everywhere in orch8-nb
    assert engine_env.now() - began == 7000
    with pytest.raises(ValueError, match="negative"):
        engine_env.advance(-1)


def test_nothing_runs_until_time_is_driven(engine_env: EngineEnv) -> None:
    inst = engine_env.start(o8.sequence("idle", o8.step("a", "noop")))
    assert inst.state == "scheduled"
    assert engine_env.run_until_idle() == 1
    assert_completed(inst)


def test_now_and_now_datetime_agree() -> None:
    start = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
    with EngineEnv(start_ms=int(start.timestamp() * 1000)) as env:
        assert env.now_datetime() == start
        env.advance("1d")
        assert env.now_datetime() == start + timedelta(days=1)
        assert env.now() == int(start.timestamp() * 1000) + DAY
        assert "2030-05-07T07:08:09" in repr(env)


def test_close_is_idempotent_and_context_managed() -> None:
    with EngineEnv() as env:
        assert not env.closed
        assert env.engine.clock is env.clock
    assert env.closed
    env.close()


def test_a_file_url_and_engine_options(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/env.db"
    with EngineEnv(url, seed=7, max_concurrent_instances=4) as env:
        assert env.engine.url.endswith("env.db")
        assert_completed(env.run(o8.sequence("f", o8.step("a", "noop"))))


def test_a_seed_makes_ids_repeat() -> None:
    ids = []
    for _ in range(2):
        with EngineEnv(seed=42) as env:
            ids.append(env.start(o8.sequence("s", o8.step("a", "noop"))).id)
    assert ids[0] == ids[1]
