"""Signals: pause, resume, cancel (scoped), update_context, custom; terminal refusal."""

from __future__ import annotations

import threading
import warnings
from typing import Any

import pytest

from orch8_nb.engine import Engine, StepContext
from orch8_nb.errors import InvalidTransitionError, NotFoundError, SignalValidationError


def seq(*handlers: str, name: str = "sig", **step_fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "blocks": [
            {"type": "step", "id": f"s{i}", "handler": h, **step_fields}
            for i, h in enumerate(handlers)
        ],
    }


def test_pause_then_resume(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", autostart=False)
    inst = engine.create_instance(seq("noop", "noop"))
    inst.pause()
    engine.run_until_idle()
    assert inst.state == "paused"
    assert [n.state for n in inst.tree()] == []  # paused before anything ran
    inst.resume()
    engine.run_until_idle()
    assert inst.state == "completed"
    kinds = [
        a.details.get("signal_type") for a in inst.audit() if a.event_type == "signal_delivered"
    ]
    assert kinds == ["pause", "resume"]


def test_pause_takes_effect_between_steps(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    gate = threading.Event()
    started = threading.Event()

    @engine.handler("hold")
    def hold(ctx: StepContext) -> str:
        started.set()
        gate.wait(10)
        return "held"

    inst = engine.create_instance(seq("hold", "noop"))
    assert started.wait(10)
    inst.pause()
    gate.set()
    for _ in range(200):
        if inst.state == "paused":
            break
        threading.Event().wait(0.02)
    assert inst.state == "paused"
    assert inst.outputs == {"s0": "held"}  # the running step finished and committed
    inst.resume()
    assert inst.wait(10).state == "completed"


def test_cancel_running_instance_cancels_the_step(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    started = threading.Event()

    @engine.handler("forever")
    async def forever(ctx: StepContext) -> None:
        import asyncio

        started.set()
        await asyncio.Event().wait()

    inst = engine.create_instance(seq("forever", "noop"))
    assert started.wait(10)
    inst.cancel()
    assert inst.wait(10).state == "cancelled"
    assert {n.block_id: n.state for n in inst.tree()} == {"s0": "cancelled", "s1": "cancelled"}


def test_non_cancellable_step_finishes_before_cancel(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    gate = threading.Event()
    started = threading.Event()

    @engine.handler("critical")
    def critical(ctx: StepContext) -> str:
        started.set()
        gate.wait(10)
        return "done"

    inst = engine.create_instance(seq("critical", name="nc", cancellable=False))
    assert started.wait(10)
    inst.cancel()
    threading.Event().wait(0.2)
    assert inst.state == "running"  # deferred until the step drains
    gate.set()
    assert inst.wait(10).state == "cancelled"
    assert inst.outputs == {"s0": "done"}


def test_cancel_waiting_instance_drops_its_worker_task(engine: Engine) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inst = engine.create_instance(seq("remote"))
    engine.run_until_idle()
    assert inst.state == "waiting"
    inst.cancel()
    engine.run_until_idle()
    assert inst.state == "cancelled"
    assert engine.poll_tasks("remote", "w") == []


def test_update_context_merges_data(engine: Engine) -> None:
    inst = engine.create_instance(
        seq("noop"), {"a": 1, "b": 1}, next_fire_at=engine.clock.now_ms() + 1000
    )
    inst.update_context({"b": 2, "c": 3})
    engine.run_until_idle()
    assert inst.state == "completed"
    assert inst.data == {"a": 1, "b": 2, "c": 3}


def test_custom_signals_are_recorded(engine: Engine) -> None:
    inst = engine.create_instance(seq("noop"), next_fire_at=engine.clock.now_ms() + 1000)
    inst.signal({"custom": "ping"}, {"x": 1})
    engine.run_until_idle()
    delivered = [a.details for a in inst.audit() if a.event_type == "signal_delivered"]
    assert delivered[0]["signal_type"] == "custom:ping"


def test_signals_to_terminal_or_unknown_instances_are_refused(engine: Engine) -> None:
    inst = engine.run(seq("noop"), timeout=10)
    with pytest.raises(InvalidTransitionError):
        inst.cancel()
    with pytest.raises(NotFoundError):
        engine.send_signal("00000000-0000-4000-8000-000000000000", "pause")


@pytest.mark.parametrize(
    ("signal_type", "payload", "path"),
    [
        ("explode", None, "signal_type"),
        ({"custom": ""}, None, "signal_type"),
        ("update_context", {"data": [1]}, "payload.data"),
        ("update_context", "nope", "payload.data"),
        ("update_context", {}, "payload.data"),
        (42, None, "signal_type"),
    ],
)
def test_bad_signals_name_the_field(
    engine: Engine, signal_type: Any, payload: Any, path: str
) -> None:
    inst = engine.create_instance(seq("noop"), next_fire_at=engine.clock.now_ms() + 1000)
    with pytest.raises(SignalValidationError) as info:
        engine.send_signal(inst.id, signal_type, payload)
    assert path in info.value.paths


def test_cancel_queued_by_another_process_interrupts_a_running_step(tmp_path: Any) -> None:
    import sqlite3
    import uuid

    from orch8_nb.engine import Engine as RealEngine

    db = tmp_path / "remote.db"
    engine = RealEngine(f"sqlite:///{db}")
    started = threading.Event()
    ran: list[str] = []
    try:

        @engine.handler("forever")
        async def forever(ctx: StepContext) -> None:
            import asyncio

            ran.append(ctx.block_id)
            started.set()
            await asyncio.Event().wait()

        inst = engine.create_instance(seq("forever", "noop", name="remote"))
        assert started.wait(10)
        # Another process (here: a plain sqlite3 connection) queues the cancel.
        conn = sqlite3.connect(db)
        conn.execute(
            "INSERT INTO signal_inbox (id, instance_id, signal_type, payload, created_at) "
            "VALUES (?, ?, 'cancel', '{}', 0)",
            (str(uuid.uuid4()), inst.id),
        )
        conn.commit()
        conn.close()
        assert inst.wait(10).state == "cancelled"
        assert ran == ["s0"]  # the next step never started
    finally:
        engine.shutdown()
