"""Signals: enqueue guards (unknown, terminal), the inbox, and who has signals waiting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from orch8_nb.errors import InvalidTransitionError, NotFoundError
from orch8_nb.storage import Storage
from orch8_nb.storage.rows import Changeset, InstanceRow

MakeInstance = Callable[..., Awaitable[InstanceRow]]


async def test_enqueue_on_an_unknown_instance_is_not_found(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    with pytest.raises(NotFoundError, match="missing"):
        await storage.enqueue_signal(rows.signal("missing"))
    assert await storage.get_signals("missing") == []


@pytest.mark.parametrize("state", ["completed", "failed", "cancelled"])
async def test_enqueue_on_a_terminal_instance_is_refused(
    storage: Storage, rows: Any, make_instance: MakeInstance, state: str
) -> None:
    inst = await make_instance(state=state)
    with pytest.raises(InvalidTransitionError, match=state):
        await storage.enqueue_signal(rows.signal(inst.id))
    assert await storage.get_signals(inst.id) == []


@pytest.mark.parametrize("state", ["scheduled", "running", "paused", "waiting"])
async def test_enqueue_returns_the_instance_state(
    storage: Storage, rows: Any, make_instance: MakeInstance, state: str
) -> None:
    inst = await make_instance(state=state)
    sig = rows.signal(inst.id, "custom:approve", payload={"ok": True, "n": [1, 2]})
    assert await storage.enqueue_signal(sig) == state
    assert await storage.get_signals(inst.id) == [sig]


async def test_inbox_keeps_arrival_order(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    inst = await make_instance(state="paused")
    sent = [rows.signal(inst.id, kind) for kind in ("resume", "pause", "custom:b", "cancel")]
    for sig in sent:
        await storage.enqueue_signal(sig)
    assert [s.id for s in await storage.get_signals(inst.id)] == [s.id for s in sent]
    bundle = await storage.load_bundle(inst.id)
    assert bundle is not None
    assert [s.signal_type for s in bundle.signals] == ["resume", "pause", "custom:b", "cancel"]


async def test_pending_only_leaves_delivered_signals_out(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    inst = await make_instance(state="running", lease_owner="n1", rev=1)
    first, second = rows.signal(inst.id, "pause"), rows.signal(inst.id, "cancel")
    for sig in (first, second):
        await storage.enqueue_signal(sig)
    assert (await storage.commit(Changeset(inst.id, 1, 2_000, signals_delivered=[first.id]))).ok
    assert [s.id for s in await storage.get_signals(inst.id)] == [first.id, second.id]
    assert [s.id for s in await storage.get_signals(inst.id, pending_only=True)] == [second.id]


async def test_signalled_instances_by_state(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    paused = await make_instance(state="paused")
    waiting = await make_instance(state="waiting")
    running = await make_instance(state="running")
    quiet = await make_instance(state="paused")
    handled = await make_instance(state="paused", rev=3)
    for inst in (paused, paused, waiting, running):
        await storage.enqueue_signal(rows.signal(inst.id))
    old = rows.signal(handled.id)
    await storage.enqueue_signal(old)
    assert (await storage.commit(Changeset(handled.id, 3, 2_000, signals_delivered=[old.id]))).ok

    found = await storage.signalled_instances(("paused", "waiting"), 100)
    assert sorted(found) == sorted([paused.id, waiting.id])
    assert quiet.id not in found
    assert await storage.signalled_instances(("running",), 100) == [running.id]
    assert await storage.signalled_instances(("scheduled",), 100) == []
    assert len(await storage.signalled_instances(("paused", "waiting", "running"), 2)) == 2
