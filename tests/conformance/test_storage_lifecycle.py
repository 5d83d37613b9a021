"""Open, close, reopen: the protocol surface, durability, schema version, close semantics."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from orch8_nb.storage import Capabilities, Storage
from orch8_nb.storage.rows import Changeset, InstanceRow

MakeInstance = Callable[..., Awaitable[InstanceRow]]
OpenBackend = Callable[[], Awaitable[Storage]]
Snapshot = Callable[[str], Awaitable[dict[str, Any]]]


async def test_backend_implements_the_protocol(storage: Storage, backend: str) -> None:
    assert isinstance(storage, Storage)
    assert isinstance(storage.capabilities, Capabilities)
    assert storage.url == backend
    assert await storage.schema_version() >= 1


async def test_open_and_close_are_idempotent(storage: Storage) -> None:
    version = await storage.schema_version()
    await storage.open()
    assert await storage.schema_version() == version
    assert await storage.list_nodes() == []
    await storage.close()
    await storage.close()


async def test_data_survives_close_and_reopen(
    storage: Storage,
    open_backend: OpenBackend,
    rows: Any,
    make_instance: MakeInstance,
    snapshot: Snapshot,
) -> None:
    if not storage.capabilities.durable:
        pytest.skip("this backend keeps data only while it is open")
    inst = await make_instance(state="running", rev=1, metadata={"k": "v"})
    sig = rows.signal(inst.id)
    await storage.enqueue_signal(sig)
    cs = Changeset(
        inst.id, 1, 2_000, nodes_insert=[rows.node(inst.id, "a", 0)],
        outputs=[rows.output(inst.id, "a", {"v": 1})], kv_set={"k": [1]},
        tasks_insert=[rows.task(inst.id)], audit=[rows.audit(inst.id)],
    )  # fmt: skip
    assert (await storage.commit(cs)).ok
    before = await snapshot(inst.id)
    sequences = await storage.list_sequences()
    version = await storage.schema_version()
    await storage.close()

    reopened = await open_backend()
    assert await reopened.schema_version() == version
    assert await reopened.list_sequences() == sequences
    assert await reopened.get_instance(inst.id) == before["instance"]
    assert await reopened.get_tree(inst.id) == before["tree"]
    assert await reopened.get_outputs(inst.id) == before["outputs"]
    assert await reopened.get_audit(inst.id) == before["audit"]
    assert await reopened.get_signals(inst.id) == before["signals"]
    assert await reopened.get_kv(inst.id) == before["kv"]
    assert await reopened.list_worker_tasks(instance_id=inst.id) == before["tasks"]
    result = await reopened.commit(Changeset(inst.id, 2, 3_000, instance={"state": "completed"}))
    assert (result.ok, result.rev) == (True, 3)


async def test_a_non_durable_backend_starts_empty_on_reopen(
    storage: Storage, open_backend: OpenBackend, make_instance: MakeInstance
) -> None:
    if storage.capabilities.durable:
        pytest.skip("this backend keeps its data")
    inst = await make_instance()
    await storage.close()
    reopened = await open_backend()
    assert await reopened.get_instance(inst.id) is None
    assert await reopened.list_sequences() == []


async def test_close_finishes_queued_work(storage: Storage, make_instance: MakeInstance) -> None:
    inst = await make_instance(state="running", rev=1)
    pending = asyncio.ensure_future(
        storage.commit(Changeset(inst.id, 1, 2_000, kv_set={"saved": True}))
    )
    await asyncio.sleep(0)  # the commit is submitted, not yet flushed
    await storage.close()
    result = await pending
    assert result.ok
