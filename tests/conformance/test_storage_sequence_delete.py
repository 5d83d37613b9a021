"""Deleting a sequence version: refused while instances need it, purging finished ones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from orch8_nb.errors import ConflictError, NotFoundError
from orch8_nb.storage import Storage
from orch8_nb.storage.rows import InstanceFilter, InstanceRow


async def test_an_unused_version_is_deleted_with_its_audit_row(storage: Storage, rows: Any) -> None:
    stored, _ = await storage.register_sequence(rows.sequence("flow"), explicit_version=False)
    audit = rows.audit(None, "sequence_deleted", to_state=None)
    assert await storage.delete_sequence(stored.id, audit=[audit]) == 0
    assert await storage.get_sequence(stored.id) is None
    assert await storage.find_sequence("t1", "default", "flow") is None
    with pytest.raises(NotFoundError, match=f"sequence {stored.id} not found"):
        await storage.delete_sequence(stored.id)


@pytest.mark.parametrize("state", ["scheduled", "running", "waiting", "paused"])
async def test_an_unfinished_instance_keeps_its_version(
    storage: Storage,
    sequence_id: str,
    make_instance: Callable[..., Awaitable[InstanceRow]],
    state: str,
) -> None:
    await make_instance(state=state)
    for purge in (False, True):
        with pytest.raises(ConflictError, match="1 unfinished instance"):
            await storage.delete_sequence(sequence_id, purge=purge)
    assert await storage.get_sequence(sequence_id) is not None


async def test_finished_instances_are_refused_unless_purged(
    storage: Storage,
    rows: Any,
    sequence_id: str,
    make_instance: Callable[..., Awaitable[InstanceRow]],
) -> None:
    done = await make_instance(state="completed")
    failed = await make_instance(state="failed")
    await storage.append_audit([rows.audit(done.id, "kept")])
    with pytest.raises(ConflictError, match="2 finished instance"):
        await storage.delete_sequence(sequence_id)
    assert await storage.get_instance(done.id) is not None

    other, _ = await storage.register_sequence(rows.sequence("other"), explicit_version=False)
    [(kept, _)] = await storage.create_instances([rows.instance(other.id, state="failed")], [])
    assert await storage.delete_sequence(sequence_id, purge=True) == 2
    assert await storage.get_instance(done.id) is None
    assert await storage.get_instance(failed.id) is None
    assert await storage.get_instance(kept) is not None  # another version's instance stays
    assert [a.event_type for a in await storage.get_audit(done.id)] == ["kept"]
    left = await storage.list_instances(InstanceFilter(tenant_id="t1"))
    assert [r.id for r in left] == [kept]
