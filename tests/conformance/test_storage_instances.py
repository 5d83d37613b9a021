"""Instances: creation with audit rows, idempotency keys, listing, counting, the timer head."""

from __future__ import annotations

from typing import Any

from orch8_nb.storage import Storage
from orch8_nb.storage.rows import InstanceFilter


def audit_keys(found: list[Any]) -> list[tuple[str, str | None, Any]]:
    return [(a.id, a.event_type, a.details) for a in found]


async def test_create_inserts_rows_and_their_audit(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    a = rows.instance(sequence_id, metadata={"k": "v"}, budget={"max": 3}, priority=4)
    b = rows.instance(sequence_id, state="running", lease_owner="n1", next_fire_at=50)
    audits = [rows.audit(a.id), rows.audit(b.id, to_state="running"), rows.audit(a.id, "note")]

    assert await storage.create_instances([a, b], audits) == [(a.id, False), (b.id, False)]
    assert await storage.get_instance(a.id) == a
    assert await storage.get_instance(b.id) == b
    assert await storage.get_instance("missing") is None
    assert audit_keys(await storage.get_audit(a.id)) == [
        (audits[0].id, "created", {"by": "test"}),
        (audits[2].id, "note", {"by": "test"}),
    ]
    assert [x.to_state for x in await storage.get_audit(b.id)] == ["running"]


async def test_idempotency_key_returns_the_first_instance(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    first = rows.instance(sequence_id, idempotency_key="order-1")
    assert await storage.create_instances([first], [rows.audit(first.id)]) == [(first.id, False)]

    dup = rows.instance(sequence_id, idempotency_key="order-1", context_data={"n": 2})
    assert await storage.create_instances([dup], [rows.audit(dup.id)]) == [(first.id, True)]
    assert await storage.get_instance(dup.id) is None
    assert await storage.get_audit(dup.id) == []
    assert len(await storage.get_audit(first.id)) == 1
    stored = await storage.get_instance(first.id)
    assert stored is not None and stored.context_data == {"n": 1}


async def test_idempotency_key_dedupes_within_one_batch(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    a = rows.instance(sequence_id, idempotency_key="k")
    b = rows.instance(sequence_id, idempotency_key="k")
    c = rows.instance(sequence_id)
    result = await storage.create_instances(
        [a, b, c], [rows.audit(a.id), rows.audit(b.id), rows.audit(c.id)]
    )
    assert result == [(a.id, False), (a.id, True), (c.id, False)]
    assert await storage.get_audit(b.id) == []
    assert await storage.count_instances(InstanceFilter()) == {"scheduled": 2}


async def test_idempotency_key_is_scoped_to_the_tenant(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    a = rows.instance(sequence_id, idempotency_key="k")
    b = rows.instance(sequence_id, idempotency_key="k", tenant_id="t2")
    assert await storage.create_instances([a], []) == [(a.id, False)]
    assert await storage.create_instances([b], []) == [(b.id, False)]


async def test_instances_without_keys_never_dedupe(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    a, b = rows.instance(sequence_id), rows.instance(sequence_id)
    assert await storage.create_instances([a, b], []) == [(a.id, False), (b.id, False)]


async def test_list_instances_is_newest_first(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    made = [
        rows.instance(sequence_id, id="i-b", created_at=2_000),
        rows.instance(sequence_id, id="i-old", created_at=1_000),
        rows.instance(sequence_id, id="i-new", created_at=3_000),
        rows.instance(sequence_id, id="i-a", created_at=2_000),
    ]
    await storage.create_instances(made, [])
    listed = await storage.list_instances(InstanceFilter())
    assert [i.id for i in listed] == ["i-new", "i-a", "i-b", "i-old"]
    page = await storage.list_instances(InstanceFilter(), limit=2, offset=1)
    assert [i.id for i in page] == ["i-a", "i-b"]


async def test_list_and_count_instances_filter(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    other_seq, _ = await storage.register_sequence(
        rows.sequence("other", id="seq-other"), explicit_version=True
    )
    made = [
        rows.instance(sequence_id, id="i1", state="running", metadata={"who": "acme", "n": 2}),
        rows.instance(sequence_id, id="i2", state="paused", metadata={"who": "acme", "n": 3}),
        rows.instance(sequence_id, id="i3", state="scheduled", metadata={"who": "zed"}),
        rows.instance(other_seq.id, id="i4", state="running", metadata={"who": "acme"}),
        rows.instance(sequence_id, id="i5", state="running", tenant_id="t2"),
        rows.instance(sequence_id, id="i6", state="running", namespace="ops"),
        rows.instance(sequence_id, id="i7", state="completed", parent_instance_id="i1"),
    ]
    await storage.create_instances(made, [])

    async def ids(**filters: Any) -> set[str]:
        return {i.id for i in await storage.list_instances(InstanceFilter(**filters))}

    assert await ids(states=("running", "paused")) == {"i1", "i2", "i4", "i5", "i6"}
    assert await ids(sequence_id=other_seq.id) == {"i4"}
    assert await ids(metadata={"who": "acme"}) == {"i1", "i2", "i4"}
    assert await ids(metadata={"who": "acme", "n": 2}) == {"i1"}
    assert await ids(metadata={"n": 3}, states=("paused",)) == {"i2"}
    assert await ids(metadata={"who": "nobody"}) == set()
    assert await ids(tenant_id="t2") == {"i5"}
    assert await ids(namespace="ops") == {"i6"}
    assert await ids(parent_instance_id="i1") == {"i7"}
    assert await ids(tenant_id="t1", namespace="default", states=("running",)) == {"i1", "i4"}

    assert await storage.count_instances(InstanceFilter()) == {
        "running": 4,
        "paused": 1,
        "scheduled": 1,
        "completed": 1,
    }
    assert await storage.count_instances(InstanceFilter(metadata={"who": "acme"})) == {
        "running": 2,
        "paused": 1,
    }
    assert await storage.count_instances(InstanceFilter(tenant_id="nobody")) == {}


async def test_metadata_filter_matches_null_values(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    await storage.create_instances(
        [rows.instance(sequence_id, id="i-null", metadata={"owner": None})], []
    )
    found = await storage.list_instances(InstanceFilter(metadata={"owner": None}))
    assert [i.id for i in found] == ["i-null"]


async def test_next_fire_at_is_the_earliest_scheduled_time(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    assert await storage.next_fire_at() is None
    await storage.create_instances(
        [
            rows.instance(sequence_id, next_fire_at=500),
            rows.instance(sequence_id, next_fire_at=300),
            rows.instance(sequence_id, state="running", next_fire_at=100),
            rows.instance(sequence_id, state="waiting", next_fire_at=200),
        ],
        [],
    )
    assert await storage.next_fire_at() == 300


async def test_next_fire_at_reports_unscheduled_times_as_due(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    await storage.create_instances(
        [rows.instance(sequence_id, next_fire_at=500), rows.instance(sequence_id)], []
    )
    head = await storage.next_fire_at()
    assert head is not None and head <= 0  # NULL means "due now": due at any clock reading


async def test_next_fire_at_after_a_time_is_the_next_timer_to_come(
    storage: Storage, rows: Any, sequence_id: str
) -> None:
    await storage.create_instances(
        [
            rows.instance(sequence_id, next_fire_at=100),  # due already
            rows.instance(sequence_id),  # due now (no fire time)
            rows.instance(sequence_id, next_fire_at=700),
            rows.instance(sequence_id, next_fire_at=400),
            rows.instance(sequence_id, state="paused", next_fire_at=300),
        ],
        [],
    )
    assert await storage.next_fire_at(after=200) == 400
    assert await storage.next_fire_at(after=400) == 700
    assert await storage.next_fire_at(after=700) is None
