"""Sequences: implicit and explicit versions, immutability, lookup and listing."""

from __future__ import annotations

from typing import Any

import pytest

from orch8_nb.errors import ConflictError
from orch8_nb.storage import Storage


async def test_implicit_versions_count_up_when_the_fingerprint_changes(
    storage: Storage, rows: Any
) -> None:
    first, created = await storage.register_sequence(
        rows.sequence("flow", fingerprint="fp-a", version=7), explicit_version=False
    )
    assert (first.version, created) == (1, True)
    assert first.definition["version"] == 1

    same, created = await storage.register_sequence(
        rows.sequence("flow", fingerprint="fp-a"), explicit_version=False
    )
    assert created is False
    assert same == first

    second, created = await storage.register_sequence(
        rows.sequence("flow", fingerprint="fp-b"), explicit_version=False
    )
    assert (second.version, created) == (2, True)
    assert second.id != first.id
    assert second.definition["version"] == 2
    assert await storage.get_sequence(second.id) == second
    assert await storage.get_sequence(first.id) == first


async def test_implicit_version_compares_with_the_latest_only(storage: Storage, rows: Any) -> None:
    await storage.register_sequence(rows.sequence(fingerprint="fp-a"), explicit_version=False)
    await storage.register_sequence(rows.sequence(fingerprint="fp-b"), explicit_version=False)
    back, created = await storage.register_sequence(
        rows.sequence(fingerprint="fp-a"), explicit_version=False
    )
    assert (back.version, back.fingerprint, created) == (3, "fp-a", True)


async def test_explicit_version_is_create_or_get(storage: Storage, rows: Any) -> None:
    stored, created = await storage.register_sequence(
        rows.sequence(id="seq-v5", version=5), explicit_version=True
    )
    assert (stored.id, stored.version, created) == ("seq-v5", 5, True)

    again, created = await storage.register_sequence(
        rows.sequence(id="seq-other", version=5), explicit_version=True
    )
    assert created is False
    assert again == stored
    assert await storage.get_sequence("seq-other") is None
    assert await storage.find_sequence("t1", "default", "flow", 5) == stored


async def test_explicit_version_with_other_blocks_conflicts(storage: Storage, rows: Any) -> None:
    stored, _ = await storage.register_sequence(
        rows.sequence(version=2, fingerprint="fp-a"), explicit_version=True
    )
    with pytest.raises(ConflictError, match="version 2"):
        await storage.register_sequence(
            rows.sequence(version=2, fingerprint="fp-b"), explicit_version=True
        )
    assert await storage.list_sequences() == [stored]


async def test_changed_definition_under_an_old_id_gets_a_new_id(
    storage: Storage, rows: Any
) -> None:
    first, _ = await storage.register_sequence(
        rows.sequence(id="seq-x", fingerprint="fp-a"), explicit_version=False
    )
    second, created = await storage.register_sequence(
        rows.sequence(id="seq-x", fingerprint="fp-b"), explicit_version=False
    )
    assert created is True
    assert second.id != "seq-x"
    assert second.definition["id"] == second.id
    assert second.version == 2
    assert await storage.get_sequence("seq-x") == first
    assert await storage.get_sequence(second.id) == second


async def test_versions_are_counted_per_tenant_and_namespace(storage: Storage, rows: Any) -> None:
    await storage.register_sequence(rows.sequence(fingerprint="fp-a"), explicit_version=False)
    await storage.register_sequence(rows.sequence(fingerprint="fp-b"), explicit_version=False)
    other_tenant, _ = await storage.register_sequence(
        rows.sequence(fingerprint="fp-c", tenant_id="t2"), explicit_version=False
    )
    other_ns, _ = await storage.register_sequence(
        rows.sequence(fingerprint="fp-c", namespace="ops"), explicit_version=False
    )
    assert (other_tenant.version, other_ns.version) == (1, 1)


async def test_find_latest_skips_deprecated_versions(storage: Storage, rows: Any) -> None:
    v1, _ = await storage.register_sequence(
        rows.sequence(version=1, fingerprint="fp-a"), explicit_version=True
    )
    v2, _ = await storage.register_sequence(
        rows.sequence(version=2, fingerprint="fp-b", deprecated=True), explicit_version=True
    )
    assert await storage.find_sequence("t1", "default", "flow") == v1
    assert await storage.find_sequence("t1", "default", "flow", 2) == v2
    assert await storage.find_sequence("t1", "default", "flow", 3) is None
    assert await storage.find_sequence("t2", "default", "flow") is None
    assert await storage.find_sequence("t1", "default", "nope") is None
    assert await storage.get_sequence("missing") is None


async def test_find_latest_picks_the_highest_version(storage: Storage, rows: Any) -> None:
    for version in (3, 1, 2):
        await storage.register_sequence(
            rows.sequence(version=version, fingerprint=f"fp-{version}"), explicit_version=True
        )
    latest = await storage.find_sequence("t1", "default", "flow")
    assert latest is not None
    assert (latest.version, latest.fingerprint) == (3, "fp-3")


async def test_list_sequences_orders_by_name_then_version_and_filters(
    storage: Storage, rows: Any
) -> None:
    specs = [
        ("b", 1, "t1", "default"),
        ("a", 2, "t1", "default"),
        ("a", 1, "t1", "default"),
        ("c", 1, "t2", "default"),
        ("a", 1, "t1", "ops"),
    ]
    for name, version, tenant, ns in specs:
        await storage.register_sequence(
            rows.sequence(name, version=version, tenant_id=tenant, namespace=ns),
            explicit_version=True,
        )

    def keys(found: list[Any]) -> list[tuple[str, int, str, str]]:
        return [(s.name, s.version, s.tenant_id, s.namespace) for s in found]

    listed = keys(await storage.list_sequences())
    assert [k[:2] for k in listed] == [("a", 1), ("a", 1), ("a", 2), ("b", 1), ("c", 1)]
    assert keys(await storage.list_sequences(tenant_id="t2")) == [("c", 1, "t2", "default")]
    assert keys(await storage.list_sequences(namespace="ops")) == [("a", 1, "t1", "ops")]
    assert keys(await storage.list_sequences(tenant_id="t1", namespace="default", name="a")) == [
        ("a", 1, "t1", "default"),
        ("a", 2, "t1", "default"),
    ]
    page = keys(await storage.list_sequences(tenant_id="t1", namespace="default", limit=2))
    assert page == [("a", 1, "t1", "default"), ("a", 2, "t1", "default")]
    rest = keys(await storage.list_sequences(tenant_id="t1", namespace="default", offset=2))
    assert rest == [("b", 1, "t1", "default")]


async def test_a_deprecated_version_is_skipped_by_name(storage: Storage, rows: Any) -> None:
    from orch8_nb.errors import NotFoundError

    one, _ = await storage.register_sequence(rows.sequence("flow", fingerprint="a"),
                                             explicit_version=False)  # fmt: skip
    two, _ = await storage.register_sequence(rows.sequence("flow", fingerprint="b"),
                                             explicit_version=False)  # fmt: skip
    marked = await storage.deprecate_sequence(two.id)
    assert marked.deprecated is True and marked.definition["deprecated"] is True
    latest = await storage.find_sequence(two.tenant_id, two.namespace, "flow", None)
    assert latest is not None and latest.id == one.id
    await storage.deprecate_sequence(two.id, deprecated=False)
    latest = await storage.find_sequence(two.tenant_id, two.namespace, "flow", None)
    assert latest is not None and latest.id == two.id
    with pytest.raises(NotFoundError):
        await storage.deprecate_sequence("missing")
