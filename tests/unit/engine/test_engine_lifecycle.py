"""Versions, idempotency, priority, concurrency keys, recovery, engine replacement, reprs."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

import orch8_nb as o8
from orch8_nb.engine import Engine, StepContext, VirtualClock
from orch8_nb.errors import InvalidTransitionError


def seq(*ids: str, name: str = "life", handler: str = "noop") -> dict[str, Any]:
    return {"name": name, "blocks": [{"type": "step", "id": i, "handler": handler} for i in ids]}


def eventually(check: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if check():
            return
        threading.Event().wait(0.01)
    assert check()


def test_versions_are_immutable_and_instances_stay_pinned(engine: Engine) -> None:
    v1 = engine.upsert_sequence(seq("a"))
    assert v1.version == 1
    assert engine.upsert_sequence(seq("a")).version == 1  # unchanged: same version
    later = engine.clock.now_ms() + 60_000
    pinned = engine.create_instance(v1, next_fire_at=later)
    with pytest.warns(o8.OldVersionWarning, match=r"now v2, .* \(1 on v1\)"):
        v2 = engine.upsert_sequence(seq("a", "b"))
    assert (v2.version, str(v2.id) != str(v1.id)) == (2, True)
    assert [s.version for s in engine.sequence_versions("life")] == [1, 2]
    assert engine.find_sequence("life").version == 2
    fresh = engine.create_instance("life")
    engine.run_until_idle()
    assert [n.block_id for n in pinned.tree()] == ["a"]
    assert [n.block_id for n in fresh.tree()] == ["a", "b"]


def test_explicit_version_conflict(engine: Engine) -> None:
    from orch8_nb.errors import ConflictError

    engine.upsert_sequence({**seq("a"), "version": 7})
    with pytest.raises(ConflictError, match="immutable"):
        engine.upsert_sequence({**seq("a", "b"), "version": 7})


def test_idempotency_key_dedupes(engine: Engine) -> None:
    first = engine.create_instance(seq("a"), {"n": 1}, idempotency_key="order-42")
    again = engine.create_instance(seq("a"), {"n": 2}, idempotency_key="order-42")
    assert (first.deduplicated, again.deduplicated, again.id) == (False, True, first.id)
    engine.run_until_idle()
    assert len(engine.list_instances()) == 1
    assert first.data == {"n": 1}


def test_priority_orders_claims(make_engine: Any) -> None:
    engine = make_engine(autostart=False, max_concurrent_instances=1)
    order: list[str] = []

    @engine.handler("mark")
    def mark(ctx: StepContext) -> None:
        order.append(ctx.params["who"])

    for who, prio in [("low", "Low"), ("normal", "Normal"), ("critical", "Critical"), ("high", 2)]:
        body = {"name": f"p-{who}", "blocks": [{"type": "step", "id": "m", "handler": "mark",
                                         "params": {"who": who}}]}  # fmt: skip
        engine.create_instance(body, priority=prio)
    engine.run_until_idle()
    assert order == ["critical", "high", "normal", "low"]


def test_concurrency_key_limits_running_instances(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False)
    gate = threading.Event()
    running: list[str] = []
    peak = [0]
    lock = threading.Lock()

    @engine.handler("hold")
    def hold(ctx: StepContext) -> None:
        with lock:
            running.append(ctx.instance_id)
            peak[0] = max(peak[0], len(running))
        gate.wait(10)
        with lock:
            running.remove(ctx.instance_id)

    insts = [
        engine.create_instance(
            seq("h", handler="hold"), concurrency_key="acct-1", max_concurrency=2
        )
        for _ in range(5)
    ]
    eventually(lambda: len(running) == 2)
    threading.Event().wait(0.3)
    assert len(running) == 2
    assert sorted(i.state for i in insts).count("scheduled") == 3
    gate.set()
    for inst in insts:
        assert inst.wait(10).state == "completed"
    assert peak[0] == 2


def test_transition_table_is_enforced() -> None:
    from orch8_nb.engine.clock import RealClock
    from orch8_nb.engine.compiled import CompiledSequence
    from orch8_nb.engine.run import Run
    from orch8_nb.engine.tree import Tree
    from orch8_nb.model import SequenceDefinition
    from orch8_nb.storage.rows import InstanceRow

    definition = SequenceDefinition.from_json(seq("a"))
    row = InstanceRow("i", "s", "t", "n", "completed", None, 1, "UTC", {}, {}, {}, [], {},
                      None, None, None, None, None, None, 0, 0)  # fmt: skip
    run = Run(row, CompiledSequence.build("s", definition), Tree([]), {}, {}, {}, [], RealClock())
    with pytest.raises(InvalidTransitionError):
        run.transition("running")
    run.transition("scheduled")  # DLQ retry path: terminal -> scheduled is allowed
    assert run.pending.audit[-1].to_state == "scheduled"


def test_recovery_releases_instances_of_dead_engines(tmp_path: Path) -> None:
    db = tmp_path / "recover.db"
    url = f"sqlite:///{db}"
    first = Engine(url, clock=VirtualClock())
    inst = first.create_instance(seq("a", "b"), next_fire_at=first.clock.now_ms() + 10**9)
    other = first.create_instance(seq("a", name="other"), next_fire_at=first.clock.now_ms() + 10**9)
    first.shutdown()
    conn = sqlite3.connect(db)
    dead_pid = 2**22 + 12345  # above the default pid_max: no such process
    conn.execute(
        "INSERT INTO engine_nodes VALUES ('dead', ?, ?, 0, 0)", (socket.gethostname(), dead_pid)
    )
    conn.execute("UPDATE instances SET state='running', lease_owner='dead' WHERE id=?", (inst.id,))
    conn.execute(
        "UPDATE instances SET state='running', lease_owner='unknown' WHERE id=?", (other.id,)
    )
    conn.commit()
    conn.close()

    second = Engine(url, clock=VirtualClock(start_ms=first.clock.now_ms()))
    try:
        second.run_until_idle()
        assert second.get_instance(inst.id).state == "completed"
        assert second.get_instance(other.id).state == "completed"
        reasons = [a.details.get("reason") for a in second.audit(inst.id)]
        assert "recovered" in reasons
    finally:
        second.shutdown()


def test_second_engine_on_the_same_file_replaces_the_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    first = Engine(url, clock=VirtualClock())

    @first.handler("greet")
    def greet(ctx: StepContext) -> str:
        return "hi"

    waiting = first.create_instance(
        seq("g", handler="greet"), next_fire_at=first.clock.now_ms() + 5
    )
    second = Engine(url, clock=VirtualClock(start_ms=first.clock.now_ms()))
    try:
        assert first.closed and not second.closed
        assert "greet" in second.handlers
        second.clock.advance(10)  # type: ignore[attr-defined]
        second.run_until_idle()
        assert second.get_instance(waiting.id).state == "completed"
        assert second.get_instance(waiting.id).outputs == {"g": "hi"}
    finally:
        second.shutdown()


def test_await_instance_from_another_event_loop(engine: Engine) -> None:
    inst = engine.create_instance(seq("a"))

    async def cell() -> str:
        done = await inst
        return done.state

    assert asyncio.run(cell()) == "completed"


def test_wait_times_out_with_a_clear_error(make_engine: Any) -> None:
    engine = make_engine(autostart=False)
    inst = engine.create_instance(seq("a"), next_fire_at=engine.clock.now_ms() + 10_000)
    with pytest.raises(TimeoutError, match="still scheduled"):
        inst.wait(timeout=0.05)


def test_reprs_are_readable_and_deterministic(tmp_path: Path) -> None:
    outputs = []
    for run in range(2):
        engine = Engine(f"sqlite:///{tmp_path / f'r{run}.db'}", clock=VirtualClock(seed=7))
        try:
            inst = engine.run(seq("first", "second", name="hello"), {"who": "ada"})
            outputs.append((repr(inst), inst._repr_html_()))
        finally:
            engine.shutdown()
    assert outputs[0] == outputs[1]
    text, html = outputs[0]
    assert "hello" in text and "completed" in text and "first" in text
    assert "second" in html and "completed" in html
    assert "<script" not in html


def test_engine_repr_and_counts(engine: Engine) -> None:
    engine.run(seq("a"))
    assert engine.counts() == {"completed": 1}
    assert "orch8_nb.Engine" in repr(engine)


def test_an_engine_bug_fails_the_instance_instead_of_hanging(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orch8_nb.engine import blocks

    def broken(*args: Any) -> None:
        raise RuntimeError("boom in the evaluator")

    monkeypatch.setitem(blocks.REGISTRY, "step", broken)
    inst = engine.run(seq("a"), timeout=10)
    assert inst.state == "failed"
    assert inst.error == {
        "kind": "engine", "message": "RuntimeError: boom in the evaluator", "retryable": False,
    }  # fmt: skip


def test_manual_engine_can_start_its_scheduler_later(make_engine: Any) -> None:
    engine = make_engine("sqlite://:memory:", virtual=False, autostart=False)
    inst = engine.create_instance(seq("a"))
    threading.Event().wait(0.2)
    assert inst.state == "scheduled"  # nobody runs it until asked
    engine.start()
    assert inst.wait(10).state == "completed"
    assert engine.get_instance(inst.id).state == "completed"
    assert [i.id for i in engine.list_instances(state="completed")] == [inst.id]


def test_waiting_steps_of_several_late_handlers_all_come_back(engine: Engine) -> None:
    """Recovered before its handlers were registered, a parallel waits on two workers."""
    import warnings as w

    import orch8_nb as o8

    seq = o8.sequence("late2", o8.parallel("p", [o8.step("a", "late_a")], [o8.step("b", "late_b")]))
    with w.catch_warnings():
        w.simplefilter("ignore")
        inst = engine.create_instance(seq)
    engine.run_until_idle()
    assert inst.state == "waiting"
    engine.handler("late_a")(lambda ctx: "a")
    engine.handler("late_b")(lambda ctx: "b")
    for _ in range(100):
        engine.run_until_idle()
        if inst.state == "completed":
            break
        threading.Event().wait(0.01)
    assert inst.state == "completed" and inst.outputs == {"a": "a", "b": "b"}
