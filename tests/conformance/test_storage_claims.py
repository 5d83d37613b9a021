"""claim_due: what is due, in which order, concurrency caps, and the bundle it returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from orch8_nb.storage import Storage
from orch8_nb.storage.rows import Changeset, InstanceRow

MakeInstance = Callable[..., Awaitable[InstanceRow]]


def claimed_ids(bundles: list[Any]) -> list[str]:
    return [b.instance.id for b in bundles]


async def test_claims_only_due_scheduled_instances(
    storage: Storage, make_instance: MakeInstance
) -> None:
    due = await make_instance(next_fire_at=100)
    unset = await make_instance(next_fire_at=None)
    on_time = await make_instance(next_fire_at=1_000)
    future = await make_instance(next_fire_at=5_000)
    running = await make_instance(state="running", next_fire_at=100, lease_owner="n0")
    paused = await make_instance(state="paused", next_fire_at=100)

    bundles = await storage.claim_due(1_000, 10, "n1")
    assert set(claimed_ids(bundles)) == {due.id, unset.id, on_time.id}
    for bundle in bundles:
        assert (bundle.instance.state, bundle.instance.lease_owner) == ("running", "n1")
        assert (bundle.instance.rev, bundle.instance.updated_at) == (1, 1_000)
        assert await storage.get_instance(bundle.instance.id) == bundle.instance
    assert await storage.get_instance(future.id) == future
    assert await storage.get_instance(running.id) == running
    assert await storage.get_instance(paused.id) == paused
    assert await storage.claim_due(1_000, 10, "n1") == []


async def test_claim_order_is_priority_then_fire_time_up_to_the_limit(
    storage: Storage, make_instance: MakeInstance
) -> None:
    low_early = await make_instance(priority=1, next_fire_at=10)
    high_late = await make_instance(priority=9, next_fire_at=300)
    high_early = await make_instance(priority=9, next_fire_at=200)
    mid = await make_instance(priority=5, next_fire_at=400)
    low_late = await make_instance(priority=1, next_fire_at=20)

    first = await storage.claim_due(1_000, 3, "n1")
    assert claimed_ids(first) == [high_early.id, high_late.id, mid.id]
    second = await storage.claim_due(1_000, 3, "n1")
    assert claimed_ids(second) == [low_early.id, low_late.id]


async def test_claim_writes_a_state_transition_audit_row(
    storage: Storage, make_instance: MakeInstance
) -> None:
    inst = await make_instance(next_fire_at=0)
    await storage.claim_due(700, 1, "n1")
    [row] = await storage.get_audit(inst.id)
    assert (row.event_type, row.from_state, row.to_state) == (
        "state_transition",
        "scheduled",
        "running",
    )
    assert (row.instance_id, row.tenant_id, row.created_at) == (inst.id, "t1", 700)


async def test_claim_returns_tree_outputs_signals_and_kv(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    inst = await make_instance()
    old_sig = rows.signal(inst.id, "pause", created_at=1_100)
    await storage.enqueue_signal(old_sig)
    b, a = rows.node(inst.id, "b", 1), rows.node(inst.id, "a", 0, state="completed")
    out = rows.output(inst.id, "a", {"v": 1})
    prep = Changeset(
        inst.id, 0, 1_200, nodes_insert=[b, a], outputs=[out], kv_set={"count": 3},
        signals_delivered=[old_sig.id],
    )  # fmt: skip
    assert (await storage.commit(prep)).ok
    new_sig = rows.signal(inst.id, "custom:poke", payload={"x": 1}, created_at=1_300)
    await storage.enqueue_signal(new_sig)

    [bundle] = await storage.claim_due(2_000, 5, "n1")
    assert (bundle.instance.id, bundle.instance.rev, bundle.instance.state) == (
        inst.id,
        2,
        "running",
    )
    assert [n.block_id for n in bundle.nodes] == ["a", "b"]
    assert bundle.nodes[0] == a
    assert list(bundle.outputs) == ["a"]
    assert (bundle.outputs["a"].id, bundle.outputs["a"].output) == (out.id, {"v": 1})
    assert [(s.id, s.signal_type, s.payload) for s in bundle.signals] == [
        (new_sig.id, "custom:poke", {"x": 1})
    ]
    assert bundle.kv == {"count": 3}
    assert await storage.load_bundle(inst.id) == bundle


async def test_concurrency_cap_counts_already_running_instances(
    storage: Storage, make_instance: MakeInstance
) -> None:
    capped: dict[str, Any] = {"concurrency_key": "k", "max_concurrency": 2}
    await make_instance(state="running", lease_owner="n0", **capped)
    k1 = await make_instance(next_fire_at=1, **capped)
    k2 = await make_instance(next_fire_at=2, **capped)
    solo = {"concurrency_key": "j", "max_concurrency": 1}
    j1 = await make_instance(next_fire_at=1, **solo)
    j2 = await make_instance(next_fire_at=2, **solo)
    free = await make_instance(next_fire_at=3)

    first = await storage.claim_due(1_000, 10, "n1")
    assert set(claimed_ids(first)) == {k1.id, j1.id, free.id}
    assert await storage.claim_due(1_000, 10, "n1") == []
    assert (await storage.get_instance(k2.id)).state == "scheduled"  # type: ignore[union-attr]
    assert (await storage.get_instance(j2.id)).state == "scheduled"  # type: ignore[union-attr]

    done = Changeset(k1.id, 1, 1_100, instance={"state": "completed", "lease_owner": None})
    assert (await storage.commit(done)).ok
    assert claimed_ids(await storage.claim_due(1_200, 10, "n1")) == [k2.id]


async def test_capped_instances_do_not_starve_other_due_instances(
    storage: Storage, make_instance: MakeInstance
) -> None:
    capped: dict[str, Any] = {"concurrency_key": "k", "max_concurrency": 1}
    await make_instance(state="running", lease_owner="n0", **capped)
    for _ in range(3):
        await make_instance(priority=5, next_fire_at=0, **capped)
    free = await make_instance(priority=1, next_fire_at=0)
    assert claimed_ids(await storage.claim_due(1_000, 1, "n1")) == [free.id]


async def test_two_handles_never_claim_the_same_instance(
    storage: Storage,
    open_backend: Callable[[], Awaitable[Storage]],
    make_instance: MakeInstance,
) -> None:
    if not storage.capabilities.multi_process:
        pytest.skip("a single handle owns this database")
    other = await open_backend()
    made = {(await make_instance(next_fire_at=0)).id for _ in range(4)}
    mine = claimed_ids(await storage.claim_due(1_000, 2, "n1"))
    theirs = claimed_ids(await other.claim_due(1_000, 10, "n2"))
    assert len(mine) == 2
    assert set(mine) | set(theirs) == made
    assert not set(mine) & set(theirs)
