"""Worker tasks: inserted by commits, claimed oldest first, updated by compare-and-swap."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from orch8_nb.storage import Storage
from orch8_nb.storage.rows import Changeset, InstanceRow, TaskUpdate, WorkerTaskRow

MakeInstance = Callable[..., Awaitable[InstanceRow]]
Snapshot = Callable[[str], Awaitable[dict[str, Any]]]


async def with_tasks(
    storage: Storage, make_instance: MakeInstance, *tasks: WorkerTaskRow
) -> InstanceRow:
    """A running instance at rev 2 whose first commit inserted ``tasks``."""
    inst = await make_instance(state="running", lease_owner="n1", rev=1)
    for task in tasks:
        task.instance_id = inst.id
    assert (await storage.commit(Changeset(inst.id, 1, 1_000, tasks_insert=list(tasks)))).ok
    return inst


async def test_inserted_tasks_read_back_unchanged(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    task = rows.task("?", queue_name="q", params={"a": [1]}, resume_checkpoint={"c": 1})
    await with_tasks(storage, make_instance, task)
    assert await storage.get_worker_task(task.id) == task
    assert await storage.get_worker_task("missing") is None


async def test_claim_oldest_first_up_to_the_limit(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    late = rows.task("?", "h", created_at=300)
    early = rows.task("?", "h", created_at=100)
    mid = rows.task("?", "h", created_at=200)
    other = rows.task("?", "other", created_at=50)
    await with_tasks(storage, make_instance, late, early, mid, other)

    first = await storage.claim_worker_tasks("h", "w1", 2, 5_000)
    assert [t.id for t in first] == [early.id, mid.id]
    for task in first:
        assert (task.state, task.worker_id, task.claim_epoch) == ("claimed", "w1", 1)
        assert (task.claimed_at, task.heartbeat_at) == (5_000, 5_000)
        assert await storage.get_worker_task(task.id) == task
    assert [t.id for t in await storage.claim_worker_tasks("h", "w2", 5, 5_100)] == [late.id]
    assert await storage.claim_worker_tasks("h", "w2", 5, 5_200) == []
    stored_other = await storage.get_worker_task(other.id)
    assert stored_other == other


async def test_claim_filters_by_queue_and_tenant(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    plain = rows.task("?", "h", created_at=1)
    queued = rows.task("?", "h", queue_name="gpu", created_at=2)
    foreign = rows.task("?", "h", tenant_id="t2", created_at=3)
    await with_tasks(storage, make_instance, plain, queued, foreign)

    by_queue = await storage.claim_worker_tasks("h", "w", 10, 100, queue_name="gpu")
    assert [t.id for t in by_queue] == [queued.id]
    by_tenant = await storage.claim_worker_tasks("h", "w", 10, 100, tenant_id="t2")
    assert [t.id for t in by_tenant] == [foreign.id]
    rest = await storage.claim_worker_tasks("h", "w", 10, 100)
    assert [t.id for t in rest] == [plain.id]


async def test_task_update_is_a_compare_and_swap_on_state_and_epoch(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    task = rows.task("?")
    inst = await with_tasks(storage, make_instance, task)
    [claimed] = await storage.claim_worker_tasks("h", "w1", 1, 2_000)
    done = TaskUpdate(
        task.id, "claimed", 1,
        {"state": "completed", "output": {"r": [1]}, "completed_at": 2_500,
         "error_retryable": False},
    )  # fmt: skip
    result = await storage.commit(Changeset(inst.id, 2, 2_500, tasks_update=[done]))
    assert (result.ok, result.rev) == (True, 3)
    stored = await storage.get_worker_task(task.id)
    assert stored is not None
    assert (stored.state, stored.output, stored.completed_at) == ("completed", {"r": [1]}, 2_500)
    assert (stored.error_retryable, stored.claim_epoch, stored.worker_id) == (False, 1, "w1")
    assert claimed.claim_epoch == 1


async def test_stale_task_epoch_fails_the_whole_changeset(
    storage: Storage, rows: Any, make_instance: MakeInstance, snapshot: Snapshot
) -> None:
    task = rows.task("?")
    inst = await with_tasks(storage, make_instance, task)
    await storage.claim_worker_tasks("h", "w1", 1, 2_000)
    before = await snapshot(inst.id)
    stale = Changeset(
        inst.id, 2, 2_500,
        instance={"state": "completed"},
        tasks_update=[TaskUpdate(task.id, "claimed", 0, {"state": "completed"})],
        outputs=[rows.output(inst.id, "s1", "lost")],
        audit=[rows.audit(inst.id, "step_completed")],
        kv_set={"lost": True},
    )  # fmt: skip
    result = await storage.commit(stale)
    assert (result.ok, result.rev) == (False, 2)
    assert await snapshot(inst.id) == before


async def test_task_update_with_a_wrong_state_fails(
    storage: Storage, rows: Any, make_instance: MakeInstance, snapshot: Snapshot
) -> None:
    task = rows.task("?")
    inst = await with_tasks(storage, make_instance, task)
    before = await snapshot(inst.id)
    wrong = TaskUpdate(task.id, "claimed", None, {"state": "completed"})
    assert not (await storage.commit(Changeset(inst.id, 2, 2_500, tasks_update=[wrong]))).ok
    assert await snapshot(inst.id) == before


async def test_reclaiming_bumps_the_epoch(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    task = rows.task("?")
    inst = await with_tasks(storage, make_instance, task)
    await storage.claim_worker_tasks("h", "w1", 1, 2_000)
    back = TaskUpdate(task.id, "claimed", 1, {"state": "pending", "worker_id": None})
    assert (await storage.commit(Changeset(inst.id, 2, 2_100, tasks_update=[back]))).ok
    [again] = await storage.claim_worker_tasks("h", "w2", 1, 2_200)
    assert (again.claim_epoch, again.worker_id, again.claimed_at) == (2, "w2", 2_200)


async def test_withdraw_removes_a_pending_task(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    task = rows.task("?")
    inst = await with_tasks(storage, make_instance, task)
    result = await storage.commit(Changeset(inst.id, 2, 2_000, tasks_withdraw=[task.id]))
    assert result.ok
    assert await storage.get_worker_task(task.id) is None


async def test_withdrawing_a_claimed_task_fails_the_changeset(
    storage: Storage, rows: Any, make_instance: MakeInstance, snapshot: Snapshot
) -> None:
    task = rows.task("?")
    inst = await with_tasks(storage, make_instance, task)
    await storage.claim_worker_tasks("h", "w1", 1, 2_000)
    before = await snapshot(inst.id)
    withdraw = Changeset(
        inst.id, 2, 2_500, instance={"state": "cancelled"}, tasks_withdraw=[task.id],
        audit=[rows.audit(inst.id, "cancelled")], kv_set={"lost": 1},
    )  # fmt: skip
    result = await storage.commit(withdraw)
    assert (result.ok, result.rev) == (False, 2)
    assert await snapshot(inst.id) == before


async def test_delete_pending_keeps_claimed_and_other_instances_tasks(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    p1, p2, busy = rows.task("?", "h1"), rows.task("?", "h2"), rows.task("?", "h3")
    inst = await with_tasks(storage, make_instance, p1, p2, busy)
    neighbour_task = rows.task("?", "h1")
    neighbour = await with_tasks(storage, make_instance, neighbour_task)
    await storage.claim_worker_tasks("h3", "w", 1, 1_500)

    result = await storage.commit(Changeset(inst.id, 2, 2_000, tasks_delete_pending=True))
    assert result.ok
    assert [t.id for t in await storage.list_worker_tasks(instance_id=inst.id)] == [busy.id]
    assert [t.id for t in await storage.list_worker_tasks(instance_id=neighbour.id)] == [
        neighbour_task.id
    ]


async def test_list_worker_tasks_filters_and_orders_oldest_first(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    t3, t1, t2 = (rows.task("?", "h", created_at=n) for n in (300, 100, 200))
    t_other = rows.task("?", "x", created_at=150)
    inst = await with_tasks(storage, make_instance, t3, t1, t2, t_other)
    await storage.claim_worker_tasks("h", "w", 1, 1_000)

    async def ids(**filters: Any) -> list[str]:
        return [t.id for t in await storage.list_worker_tasks(**filters)]

    assert await ids() == [t1.id, t_other.id, t2.id, t3.id]
    assert await ids(state="pending") == [t_other.id, t2.id, t3.id]
    assert await ids(state="claimed") == [t1.id]
    assert await ids(handler_name="x") == [t_other.id]
    assert await ids(instance_id=inst.id, limit=2, offset=1) == [t_other.id, t2.id]
    assert await ids(instance_id="missing") == []


async def test_a_result_can_be_stored_with_its_task_while_the_instance_is_held(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    task = rows.task("?")
    inst = await with_tasks(storage, make_instance, task)
    await storage.claim_worker_tasks("h", "w1", 1, 2_000)
    done = TaskUpdate(task.id, "claimed", 1, {"state": "completed", "output": {"ok": 1}})
    note = rows.signal(inst.id, "worker_result", payload={"task_id": task.id})
    assert await storage.store_task_result(done, note) is True
    stored = await storage.get_worker_task(task.id)
    assert stored is not None and (stored.state, stored.output) == ("completed", {"ok": 1})
    assert [s.id for s in await storage.get_signals(inst.id)] == [note.id]
    after = await storage.get_instance(inst.id)
    assert after is not None and after.rev == 2  # the instance row is not touched
    again = rows.signal(inst.id, "worker_result")
    assert await storage.store_task_result(done, again) is False  # not claimed any more
    assert len(await storage.get_signals(inst.id)) == 1


async def test_heartbeats_need_the_claim_and_silent_claims_are_reaped(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    quiet = rows.task("?", "h", created_at=1)
    busy = rows.task("?", "h", created_at=2)
    slow = rows.task("?", "h", created_at=3, timeout_ms=500)
    await with_tasks(storage, make_instance, quiet, busy, slow)
    claimed = await storage.claim_worker_tasks("h", "w1", 3, 1_000)
    epoch = claimed[0].claim_epoch
    beat = await storage.heartbeat_worker_task(busy.id, "w1", epoch, 1_400)
    assert beat is not None and beat.heartbeat_at == 1_400
    assert await storage.heartbeat_worker_task(busy.id, "w2", None, 1_400) is None
    assert await storage.heartbeat_worker_task(busy.id, "w1", epoch + 1, 1_400) is None
    stale, expired = await storage.reap_worker_tasks(1_600, stale_before=1_200)
    assert stale == [quiet.id]  # busy beat at 1,400; slow is expired, not stale
    assert [t.id for t in expired] == [slow.id]
    back = await storage.get_worker_task(quiet.id)
    assert back is not None and (back.state, back.worker_id) == ("pending", None)
    assert back.claim_epoch == epoch  # the next claim bumps it
    again = await storage.claim_worker_tasks("h", "w2", 5, 1_700)
    assert [(t.id, t.claim_epoch) for t in again] == [(quiet.id, epoch + 1)]
