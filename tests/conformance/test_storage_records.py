"""Checkpoints and sessions: append, list, prune; create, find by key, update, conflicts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from orch8_nb.errors import ConflictError, NotFoundError
from orch8_nb.storage import Storage
from orch8_nb.storage.rows import CheckpointRow, InstanceFilter, InstanceRow, SessionRow

MakeInstance = Callable[..., Awaitable[InstanceRow]]


async def test_checkpoints_append_list_and_prune(
    storage: Storage, make_instance: MakeInstance
) -> None:
    inst = await make_instance()
    rows = [CheckpointRow(f"cp{i}", inst.id, {"turn": i}, 1_000 + i) for i in range(5)]
    for row in rows:
        await storage.save_checkpoint(row)
    listed = await storage.list_checkpoints(inst.id)
    assert [(r.id, r.checkpoint_data) for r in listed] == [
        (f"cp{i}", {"turn": i}) for i in range(5)
    ]
    assert await storage.prune_checkpoints(inst.id, 2) == 3
    assert [r.id for r in await storage.list_checkpoints(inst.id)] == ["cp3", "cp4"]
    assert await storage.prune_checkpoints(inst.id, 5) == 0
    with pytest.raises(NotFoundError, match="instance nope not found"):
        await storage.save_checkpoint(CheckpointRow("x", "nope", {}, 1))


def session(key: str, **fields: Any) -> SessionRow:
    values: dict[str, Any] = {
        "id": f"s-{key}", "tenant_id": "t1", "session_key": key, "data": {"n": 1},
        "state": "active", "created_at": 1_000, "updated_at": 1_000,
    }  # fmt: skip
    values.update(fields)
    return SessionRow(**values)


async def test_sessions_create_find_update_and_list(
    storage: Storage, make_instance: MakeInstance
) -> None:
    await storage.create_session(session("chat-1"))
    await storage.create_session(session("chat-2", created_at=2_000, expires_at=9_000))
    with pytest.raises(ConflictError, match="key 'chat-1' exists"):
        await storage.create_session(session("chat-1", id="other"))
    found = await storage.find_session("t1", "chat-1")
    assert found is not None and found.id == "s-chat-1" and found.data == {"n": 1}
    assert await storage.find_session("t2", "chat-1") is None
    assert await storage.get_session("missing") is None
    found.data, found.state, found.updated_at = {"n": 2}, "paused", 3_000
    await storage.update_session(found)
    again = await storage.get_session("s-chat-1")
    assert again is not None and (again.data, again.state, again.updated_at) == (
        {"n": 2}, "paused", 3_000,
    )  # fmt: skip
    assert [s.session_key for s in await storage.list_sessions("t1", 10, 0)] == [
        "chat-2", "chat-1",
    ]  # fmt: skip
    with pytest.raises(NotFoundError):
        await storage.update_session(session("ghost"))
    member = await make_instance(session_id="s-chat-1")
    await make_instance()
    listed = await storage.list_instances(InstanceFilter(session_id="s-chat-1"), 10, 0)
    assert [r.id for r in listed] == [member.id]


async def test_rate_limits_take_units_of_a_fixed_window(storage: Storage) -> None:
    assert await storage.acquire_rate("t1", "mail", 1_000) is None  # no limit set
    await storage.set_rate_limit("t1", "mail", 2, 60_000, 1_000)
    assert await storage.acquire_rate("t1", "mail", 1_000) is None
    assert await storage.acquire_rate("t1", "mail", 2_000) is None
    assert await storage.acquire_rate("t1", "mail", 3_000) == 61_000
    assert await storage.acquire_rate("t2", "mail", 3_000) is None  # other tenant
    assert await storage.acquire_rate("t1", "mail", 61_000) is None  # a new window
    [row] = await storage.list_rate_limits("t1")
    assert row == {"resource_key": "mail", "max_count": 2, "window_ms": 60_000,
                   "window_start": 61_000, "used": 1}  # fmt: skip
    assert await storage.delete_rate_limit("t1", "mail") is True
    assert await storage.list_rate_limits("t1") == []


async def test_step_progress_commits_at_once_with_its_audit_rows(
    storage: Storage, make_instance: MakeInstance
) -> None:
    from orch8_nb.storage.rows import AuditRow

    inst = await make_instance()
    note = AuditRow("a1", inst.id, "default", "llm_call", None, None, "agent", {"turn": 1}, 5)
    await storage.save_progress(inst.id, "_progress:agent", {"turn": 1}, 5, [note])
    await storage.save_progress(inst.id, "_progress:agent", {"turn": 2}, 6)
    assert (await storage.get_kv(inst.id))["_progress:agent"] == {"turn": 2}
    assert [a.event_type for a in await storage.get_audit(inst.id)][-1] == "llm_call"
    with pytest.raises(NotFoundError):
        await storage.save_progress("missing", "k", 1, 7)


async def test_recorded_model_answers_are_stored_and_replaced_by_key(storage: Storage) -> None:
    record = {"key": "k1", "provider": "openai", "model": "m", "request": {"messages": []},
              "response": {"message": {"role": "assistant", "content": "a"}},
              "recorded_at": 1}  # fmt: skip
    assert await storage.get_llm_record("k1") is None
    await storage.put_llm_record(record)
    assert await storage.get_llm_record("k1") == record
    await storage.put_llm_record({**record, "response": {"message": {"content": "b"}}})
    stored = await storage.get_llm_record("k1")
    assert stored is not None and stored["response"] == {"message": {"content": "b"}}
