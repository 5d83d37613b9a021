"""Inspection reads: history comes back oldest first, across commits; unknown ids are empty."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from orch8_nb.storage import Storage
from orch8_nb.storage.rows import Changeset, InstanceRow

MakeInstance = Callable[..., Awaitable[InstanceRow]]


async def test_history_reads_are_oldest_first_across_commits(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    inst = rows.instance(sequence_id, next_fire_at=0)
    created = rows.audit(inst.id, "created")
    await storage.create_instances([inst], [created])
    [bundle] = await storage.claim_due(1_000, 1, "n1")
    rev = bundle.instance.rev

    out_ids: list[str] = []
    audit_ids: list[str] = []
    # Later commits carry *earlier* timestamps: order is arrival, not created_at.
    for i, at in enumerate((3_000, 2_000, 2_500)):
        out = rows.output(inst.id, f"b{i % 2}", i, created_at=at)
        note = rows.audit(inst.id, "note", created_at=at, details={"i": i})
        result = await storage.commit(Changeset(inst.id, rev, at, outputs=[out], audit=[note]))
        assert result.ok
        rev = result.rev
        out_ids.append(out.id)
        audit_ids.append(note.id)

    assert [o.id for o in await storage.get_outputs(inst.id)] == out_ids
    audit = await storage.get_audit(inst.id)
    assert [a.event_type for a in audit] == ["created", "state_transition", "note", "note", "note"]
    assert [a.id for a in audit][2:] == audit_ids
    assert audit[0].id == created.id


async def test_tree_is_in_position_order(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    inst = await make_instance(state="running", rev=1)
    nodes = [rows.node(inst.id, f"n{p}", p) for p in (3, 0, 2, 1)]
    assert (await storage.commit(Changeset(inst.id, 1, 2_000, nodes_insert=nodes[:2]))).ok
    assert (await storage.commit(Changeset(inst.id, 2, 2_100, nodes_insert=nodes[2:]))).ok
    assert [n.position for n in await storage.get_tree(inst.id)] == [0, 1, 2, 3]


async def test_kv_reads_back_every_json_shape(
    storage: Storage, make_instance: MakeInstance
) -> None:
    inst = await make_instance(state="running", rev=1)
    values = {"z": None, "a": [1, 2.5, "x"], "m": {"nested": {"t": True}}, "s": "ünï", "n": -3}
    assert (await storage.commit(Changeset(inst.id, 1, 2_000, kv_set=values))).ok
    assert await storage.get_kv(inst.id) == values


async def test_reads_of_unknown_instances_are_empty(storage: Storage) -> None:
    assert await storage.get_outputs("missing") == []
    assert await storage.get_tree("missing") == []
    assert await storage.get_audit("missing") == []
    assert await storage.get_signals("missing") == []
    assert await storage.get_kv("missing") == {}
    assert await storage.load_bundle("missing") is None
    assert await storage.list_worker_tasks(instance_id="missing") == []
