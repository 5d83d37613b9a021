"""Commits submitted together (one loop iteration, maybe one transaction) stay independent."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from orch8_nb.storage import Storage
from orch8_nb.storage.rows import Changeset, InstanceRow

MakeInstance = Callable[..., Awaitable[InstanceRow]]
Snapshot = Callable[[str], Awaitable[dict[str, Any]]]


def step(rows: Any, inst: InstanceRow, rev: int, value: Any) -> Changeset:
    return Changeset(
        inst.id, rev, 2_000,
        instance={"context_data": {"v": value}},
        outputs=[rows.output(inst.id, "s", value)],
        audit=[rows.audit(inst.id, "step_completed")],
        kv_set={"v": value},
    )  # fmt: skip


async def test_a_stale_commit_does_not_spoil_its_neighbours(
    storage: Storage, rows: Any, make_instance: MakeInstance, snapshot: Snapshot
) -> None:
    insts = [await make_instance(state="running", rev=1) for _ in range(4)]
    before_stale = await snapshot(insts[2].id)
    changesets = [step(rows, inst, 1, i) for i, inst in enumerate(insts)]
    changesets[2].expect_rev = 0

    results = await asyncio.gather(*(storage.commit(cs) for cs in changesets))
    assert [(r.ok, r.rev) for r in results] == [(True, 2), (True, 2), (False, 0), (True, 2)]
    assert await snapshot(insts[2].id) == before_stale
    for i in (0, 1, 3):
        inst = await storage.get_instance(insts[i].id)
        assert inst is not None and (inst.rev, inst.context_data) == (2, {"v": i})
        assert [o.output for o in await storage.get_outputs(insts[i].id)] == [i]
        assert await storage.get_kv(insts[i].id) == {"v": i}


async def test_a_lost_task_swap_does_not_spoil_its_neighbours(
    storage: Storage, rows: Any, make_instance: MakeInstance, snapshot: Snapshot
) -> None:
    insts = [await make_instance(state="running", rev=1) for _ in range(3)]
    task = rows.task(insts[1].id)
    assert (await storage.commit(Changeset(insts[1].id, 1, 1_500, tasks_insert=[task]))).ok
    await storage.claim_worker_tasks("h", "w", 1, 1_600)
    before_lost = await snapshot(insts[1].id)
    changesets = [
        step(rows, insts[0], 1, "a"),
        step(rows, insts[1], 2, "lost"),
        step(rows, insts[2], 1, "c"),
    ]
    changesets[1].tasks_withdraw = [task.id]

    results = await asyncio.gather(*(storage.commit(cs) for cs in changesets))
    assert [r.ok for r in results] == [True, False, True]
    assert await snapshot(insts[1].id) == before_lost
    for i, value in ((0, "a"), (2, "c")):
        assert [o.output for o in await storage.get_outputs(insts[i].id)] == [value]
        assert [a.event_type for a in await storage.get_audit(insts[i].id)] == ["step_completed"]


async def test_two_decisions_on_one_revision_exactly_one_wins(
    storage: Storage, rows: Any, make_instance: MakeInstance
) -> None:
    inst = await make_instance(state="running", rev=1)
    first, second = step(rows, inst, 1, "first"), step(rows, inst, 1, "second")
    results = await asyncio.gather(storage.commit(first), storage.commit(second))
    assert sorted(r.ok for r in results) == [False, True]
    winner = "first" if results[0].ok else "second"
    assert [o.output for o in await storage.get_outputs(inst.id)] == [winner]
    assert await storage.get_kv(inst.id) == {"v": winner}
    stored = await storage.get_instance(inst.id)
    assert stored is not None and (stored.rev, stored.context_data) == (2, {"v": winner})
