"""commit: compare-and-swap on the instance revision, and every kind of child write."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from orch8_nb.storage import Storage
from orch8_nb.storage.rows import Changeset, InstanceFilter, InstanceRow, NodeUpdate

MakeInstance = Callable[..., Awaitable[InstanceRow]]
Snapshot = Callable[[str], Awaitable[dict[str, Any]]]


async def claimed(make_instance: MakeInstance) -> InstanceRow:
    return await make_instance(state="running", lease_owner="n1", rev=1)


async def test_commit_updates_columns_and_bumps_the_revision(
    storage: Storage, make_instance: MakeInstance
) -> None:
    inst = await claimed(make_instance)
    cs = Changeset(
        inst.id, 1, 2_000,
        instance={"state": "waiting", "next_fire_at": 5_000, "context_data": {"n": 2},
                  "metadata": {"m": [1, 2]}, "budget": None, "lease_owner": None},
        expect_state="running",
    )  # fmt: skip
    result = await storage.commit(cs)
    assert (result.ok, result.rev, result.pending_signals) == (True, 2, False)
    after = await storage.get_instance(inst.id)
    assert after is not None
    assert (after.state, after.next_fire_at, after.lease_owner) == ("waiting", 5_000, None)
    assert (after.context_data, after.metadata, after.budget) == ({"n": 2}, {"m": [1, 2]}, None)
    assert (after.rev, after.updated_at, after.created_at) == (2, 2_000, 1_000)


async def test_stale_revision_writes_nothing(
    storage: Storage, rows: Any, make_instance: MakeInstance, snapshot: Snapshot
) -> None:
    inst = await claimed(make_instance)
    sig = rows.signal(inst.id)
    await storage.enqueue_signal(sig)
    node = rows.node(inst.id, "a", 0)
    pending = rows.task(inst.id)
    setup = Changeset(
        inst.id, 1, 1_500, nodes_insert=[node], outputs=[rows.output(inst.id, "a", 1)],
        kv_set={"keep": 1, "drop": 2}, tasks_insert=[pending], audit=[rows.audit(inst.id)],
    )  # fmt: skip
    assert (await storage.commit(setup)).ok
    before = await snapshot(inst.id)

    stale = Changeset(
        inst.id, 1, 3_000,
        instance={"state": "completed", "context_data": {"n": 99}},
        audit=[rows.audit(inst.id, "step_completed")],
        nodes_insert=[rows.node(inst.id, "b", 1)],
        nodes_update=[NodeUpdate(node.id, "completed", 2_900, 3_000)],
        outputs=[rows.output(inst.id, "b", {"lost": True})],
        signals_delivered=[sig.id],
        tasks_insert=[rows.task(inst.id, "other")],
        tasks_delete_pending=True,
        kv_set={"keep": 100, "new": 1},
        kv_delete=["drop"],
    )  # fmt: skip
    result = await storage.commit(stale)
    assert (result.ok, result.rev) == (False, 1)
    assert await snapshot(inst.id) == before
    assert before["instance"].rev == 2


async def test_stale_revision_with_nodes_delete_keeps_the_tree(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    inst = await claimed(make_instance)
    node = rows.node(inst.id, "a", 0)
    assert (await storage.commit(Changeset(inst.id, 1, 1_500, nodes_insert=[node]))).ok
    lost = Changeset(inst.id, 1, 1_600, nodes_delete=True)
    assert not (await storage.commit(lost)).ok
    assert await storage.get_tree(inst.id) == [node]


async def test_expect_state_guards_the_commit(
    storage: Storage, rows: Any, make_instance: MakeInstance, snapshot: Snapshot
) -> None:
    inst = await claimed(make_instance)
    before = await snapshot(inst.id)
    wrong = Changeset(
        inst.id, 1, 2_000, instance={"state": "completed"}, expect_state="paused",
        outputs=[rows.output(inst.id, "a", 1)], audit=[rows.audit(inst.id)],
    )  # fmt: skip
    assert not (await storage.commit(wrong)).ok
    assert await snapshot(inst.id) == before
    right = Changeset(inst.id, 1, 2_000, instance={"state": "completed"}, expect_state="running")
    assert (await storage.commit(right)).ok


async def test_commit_on_an_unknown_instance_is_not_ok(storage: Storage, sequence_id: str) -> None:
    result = await storage.commit(Changeset("missing", 0, 1_000, instance={"state": "running"}))
    assert result.ok is False


async def test_nodes_insert_update_and_delete(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    inst = await claimed(make_instance)
    parent = rows.node(inst.id, "par", 0, block_type="parallel")
    left = rows.node(inst.id, "l", 1, parent_id=parent.id, branch_index=0)
    right = rows.node(inst.id, "r", 2, parent_id=parent.id, branch_index=1)
    cs = Changeset(inst.id, 1, 2_000, nodes_insert=[right, parent, left])
    assert (await storage.commit(cs)).ok
    assert await storage.get_tree(inst.id) == [parent, left, right]

    upd = Changeset(
        inst.id, 2, 2_100,
        nodes_update=[NodeUpdate(left.id, "running", 2_050, None),
                      NodeUpdate(right.id, "completed", 2_060, 2_090)],
    )  # fmt: skip
    assert (await storage.commit(upd)).ok
    tree = {n.id: n for n in await storage.get_tree(inst.id)}
    assert (tree[left.id].state, tree[left.id].started_at, tree[left.id].completed_at) == (
        "running",
        2_050,
        None,
    )
    assert (tree[right.id].state, tree[right.id].completed_at) == ("completed", 2_090)
    assert tree[parent.id] == parent

    fresh = rows.node(inst.id, "again", 0)
    rebuild = Changeset(inst.id, 3, 2_200, nodes_delete=True, nodes_insert=[fresh])
    assert (await storage.commit(rebuild)).ok
    assert await storage.get_tree(inst.id) == [fresh]


async def test_bundle_keeps_the_latest_real_output_and_the_latest_attempt(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    inst = await claimed(make_instance)
    written = [
        rows.output(inst.id, "a", {"err": "boom"}, "__retry__", attempt=1),
        rows.output(inst.id, "a", {"v": 1}, attempt=2),
        rows.output(inst.id, "a", {"err": "again"}, "__retry__", attempt=3),
        rows.output(inst.id, "b", {"err": "fatal"}, "__error__", attempt=1),
        rows.output(inst.id, "c", "first", attempt=1),
    ]
    assert (await storage.commit(Changeset(inst.id, 1, 2_000, outputs=written))).ok
    later = rows.output(inst.id, "c", "second", attempt=2, created_at=2_500)
    assert (await storage.commit(Changeset(inst.id, 2, 2_500, outputs=[later]))).ok

    bundle = await storage.load_bundle(inst.id)
    assert bundle is not None
    assert {k: v.id for k, v in bundle.outputs.items()} == {"a": written[1].id, "c": later.id}
    assert bundle.outputs["a"].output == {"v": 1}
    assert bundle.outputs["c"].output == "second"
    assert {k: v.id for k, v in bundle.attempts.items()} == {
        "a": written[2].id,
        "b": written[3].id,
        "c": later.id,
    }
    assert bundle.attempts["b"].output_ref == "__error__"

    history = await storage.get_outputs(inst.id)
    assert [o.id for o in history] == [o.id for o in [*written, later]]
    seqs = [o.seq for o in history]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert (history[0].output, history[0].output_ref, history[0].attempt) == (
        {"err": "boom"},
        "__retry__",
        1,
    )


async def test_pre_encoded_output_is_stored_as_given(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    inst = await claimed(make_instance)
    out = rows.output(inst.id, "a", {"x": [1, "é"]}, encoded='{"x":[1,"é"]}')
    assert (await storage.commit(Changeset(inst.id, 1, 2_000, outputs=[out]))).ok
    [stored] = await storage.get_outputs(inst.id)
    assert stored.output == {"x": [1, "é"]}


async def test_kv_set_overwrites_and_delete_removes(
    storage: Storage, make_instance: MakeInstance
) -> None:
    inst = await claimed(make_instance)
    first = Changeset(inst.id, 1, 2_000, kv_set={"a": 1, "b": {"x": [1, None]}, "c": "s"})
    assert (await storage.commit(first)).ok
    assert await storage.get_kv(inst.id) == {"a": 1, "b": {"x": [1, None]}, "c": "s"}
    second = Changeset(inst.id, 2, 2_100, kv_set={"a": 2}, kv_delete=["b", "never-set"])
    assert (await storage.commit(second)).ok
    assert await storage.get_kv(inst.id) == {"a": 2, "c": "s"}
    bundle = await storage.load_bundle(inst.id)
    assert bundle is not None and bundle.kv == {"a": 2, "c": "s"}


async def test_signals_delivered_and_pending_signal_report(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    inst = await claimed(make_instance)
    s1, s2 = rows.signal(inst.id, "pause"), rows.signal(inst.id, "resume")
    await storage.enqueue_signal(s1)
    await storage.enqueue_signal(s2)

    one = await storage.commit(Changeset(inst.id, 1, 2_000, signals_delivered=[s1.id]))
    assert (one.ok, one.pending_signals) == (True, True)
    delivered = {s.id: (s.delivered, s.delivered_at) for s in await storage.get_signals(inst.id)}
    assert delivered == {s1.id: (True, 2_000), s2.id: (False, None)}

    two = await storage.commit(Changeset(inst.id, 2, 2_100, signals_delivered=[s2.id]))
    assert (two.ok, two.pending_signals) == (True, False)

    await storage.enqueue_signal(rows.signal(inst.id, "cancel"))
    unasked = await storage.commit(Changeset(inst.id, 3, 2_200, check_signals=False))
    assert (unasked.ok, unasked.pending_signals) == (True, False)
    asked = await storage.commit(Changeset(inst.id, 4, 2_300))
    assert (asked.ok, asked.pending_signals) == (True, True)


async def test_audit_rows_are_appended_in_order(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    inst = await claimed(make_instance)
    a1 = rows.audit(inst.id, "step_started", block_id="s1", details={"i": 1})
    a2 = rows.audit(inst.id, "step_completed", block_id="s1", details={"i": 2})
    assert (await storage.commit(Changeset(inst.id, 1, 2_000, audit=[a1, a2]))).ok
    a3 = rows.audit(inst.id, "state_transition", from_state="running", to_state="completed")
    assert (await storage.commit(Changeset(inst.id, 2, 2_100, audit=[a3]))).ok
    stored = await storage.get_audit(inst.id)
    assert [(a.id, a.event_type, a.block_id, a.details) for a in stored] == [
        (a1.id, "step_started", "s1", {"i": 1}),
        (a2.id, "step_completed", "s1", {"i": 2}),
        (a3.id, "state_transition", None, {"by": "test"}),
    ]
    assert [a.seq for a in stored] == sorted(a.seq for a in stored)


async def test_children_and_signals_to_other_instances_commit_with_the_decision(
    storage: Storage, rows: Any, make_instance: MakeInstance, sequence_id: str
) -> None:
    parent = await claimed(make_instance)
    other = await make_instance(state="waiting")
    ended = await make_instance(state="completed")
    child = rows.instance(sequence_id, parent_instance_id=parent.id, metadata={"d": 1})
    to_other, to_ended = rows.signal(other.id, "child_finished"), rows.signal(ended.id, "cancel")
    cs = Changeset(
        parent.id, 1, 2_000, instances_insert=[child], signals_send=[to_other, to_ended],
        audit=[rows.audit(child.id, "state_transition")],
    )  # fmt: skip
    assert (await storage.commit(cs)).ok
    stored = await storage.get_instance(child.id)
    assert stored is not None and (stored.parent_instance_id, stored.metadata) == (
        parent.id, {"d": 1},
    )  # fmt: skip
    assert [a.event_type for a in await storage.get_audit(child.id)] == ["state_transition"]
    assert [s.id for s in await storage.get_signals(other.id)] == [to_other.id]
    assert await storage.get_signals(ended.id) == []  # a terminal target drops the signal

    stale = Changeset(
        parent.id, 1, 2_100, instances_insert=[rows.instance(sequence_id)],
        signals_send=[rows.signal(other.id, "cancel")],
    )  # fmt: skip
    assert not (await storage.commit(stale)).ok
    assert len(await storage.get_signals(other.id)) == 1
    flt_children = await storage.list_instances(InstanceFilter(parent_instance_id=parent.id), 10, 0)
    assert [c.id for c in flt_children] == [child.id]


async def test_a_changeset_can_create_its_instance_whole(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    fork = rows.instance(sequence_id, state="scheduled")
    node = rows.node(fork.id, "a", 0)
    cs = Changeset(
        fork.id, 0, 2_000, create=fork, nodes_insert=[node],
        outputs=[rows.output(fork.id, "a", {"copied": True})], kv_set={"_cache:k": 1},
        audit=[rows.audit(fork.id, "forked_from")],
    )  # fmt: skip
    result = await storage.commit(cs)
    assert (result.ok, result.rev) == (True, 0)
    bundle = await storage.load_bundle(fork.id)
    assert bundle is not None and bundle.instance.state == "scheduled"
    assert [n.id for n in bundle.nodes] == [node.id]
    assert bundle.outputs["a"].output == {"copied": True}
    assert bundle.kv == {"_cache:k": 1}
    assert [a.event_type for a in await storage.get_audit(fork.id)] == ["forked_from"]
