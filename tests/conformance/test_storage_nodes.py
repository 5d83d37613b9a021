"""Engine processes: node registry, and handing leased instances back (recovery, shutdown)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from orch8_nb.storage import Storage
from orch8_nb.storage.rows import InstanceRow, NodeInfo

MakeInstance = Callable[..., Awaitable[InstanceRow]]


async def test_register_heartbeat_list_and_remove_nodes(storage: Storage) -> None:
    assert await storage.list_nodes() == []
    await storage.register_node(NodeInfo("node-a", "host-a", 11, 100, 100))
    await storage.register_node(NodeInfo("node-b", "host-b", 22, 150, 150))
    await storage.register_node(NodeInfo("node-a", "host-a", 11, 100, 400))  # upsert
    await storage.heartbeat_node("node-b", 500)
    await storage.heartbeat_node("node-unknown", 600)

    nodes = sorted(await storage.list_nodes(), key=lambda n: n.id)
    assert nodes == [
        NodeInfo("node-a", "host-a", 11, 100, 400),
        NodeInfo("node-b", "host-b", 22, 150, 500),
    ]
    await storage.remove_node("node-a")
    await storage.remove_node("node-unknown")
    assert await storage.list_nodes() == [NodeInfo("node-b", "host-b", 22, 150, 500)]


async def running(make_instance: MakeInstance, owner: str | None) -> InstanceRow:
    return await make_instance(state="running", lease_owner=owner, next_fire_at=None, rev=4)


async def test_release_by_owner_reschedules_and_audits(
    storage: Storage, make_instance: MakeInstance
) -> None:
    mine = await running(make_instance, "n1")
    theirs = await running(make_instance, "n2")
    idle = await make_instance(state="scheduled", next_fire_at=9_000)

    assert await storage.release_instances(800, "engine shutdown", owners=["n1"]) == [mine.id]
    after = await storage.get_instance(mine.id)
    assert after is not None
    assert (after.state, after.lease_owner, after.next_fire_at) == ("scheduled", None, 800)
    assert (after.rev, after.updated_at) == (5, 800)
    [row] = await storage.get_audit(mine.id)
    assert (row.event_type, row.from_state, row.to_state) == (
        "state_transition",
        "running",
        "scheduled",
    )
    assert row.created_at == 800
    assert row.details["reason"] == "engine shutdown"
    assert await storage.get_instance(theirs.id) == theirs
    assert await storage.get_instance(idle.id) == idle
    assert await storage.get_audit(theirs.id) == []


async def test_release_except_live_owners(storage: Storage, make_instance: MakeInstance) -> None:
    live = await running(make_instance, "live")
    dead = await running(make_instance, "dead")
    orphan = await running(make_instance, None)

    released = await storage.release_instances(900, "recovered", except_owners=["live"])
    assert sorted(released) == sorted([dead.id, orphan.id])
    assert await storage.get_instance(live.id) == live
    for iid in released:
        inst = await storage.get_instance(iid)
        assert inst is not None and (inst.state, inst.lease_owner) == ("scheduled", None)
        assert [a.details["reason"] for a in await storage.get_audit(iid)] == ["recovered"]
    assert await storage.release_instances(950, "again", except_owners=["live"]) == []


async def test_release_any_owner_and_no_owners(
    storage: Storage, make_instance: MakeInstance
) -> None:
    a = await running(make_instance, "n1")
    b = await running(make_instance, "n2")
    assert await storage.release_instances(900, "x", owners=[]) == []
    released: list[Any] = await storage.release_instances(900, "all")
    assert sorted(released) == sorted([a.id, b.id])


async def test_released_instances_can_be_claimed_again(
    storage: Storage, make_instance: MakeInstance
) -> None:
    inst = await running(make_instance, "n1")
    await storage.release_instances(900, "recovered", owners=["n1"])
    [bundle] = await storage.claim_due(900, 5, "n2")
    assert (bundle.instance.id, bundle.instance.lease_owner, bundle.instance.rev) == (
        inst.id,
        "n2",
        6,
    )
