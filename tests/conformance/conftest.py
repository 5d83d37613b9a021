"""Conformance harness: every test runs once per backend in ``BACKENDS``, on a fresh loop.

Tests are ``async def`` functions that receive an open ``storage``; the hook below runs
them on the same event loop the fixture opened the backend on (a PostgreSQL pool is bound
to its loop, so opening and using must share one). Differences between backends are
``storage.capabilities`` flags, never backend names.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from orch8_nb.storage import Storage, open_storage
from orch8_nb.storage.rows import (
    AuditRow,
    InstanceRow,
    NodeRow,
    OutputRow,
    SequenceRow,
    SignalRow,
    WorkerTaskRow,
)

#: Time the harness opens backends at (migrations record it).
OPENED_AT = 1_000


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests on the loop of their ``storage_loop`` fixture."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    loop = pyfuncitem.funcargs.get("storage_loop")
    if not isinstance(loop, asyncio.AbstractEventLoop):
        raise pytest.UsageError(f"{pyfuncitem.nodeid}: async tests here need the storage fixture")
    names = inspect.signature(pyfuncitem.obj).parameters
    loop.run_until_complete(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
    return True


@pytest.fixture
def storage_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


@pytest.fixture
def open_backend(
    backend: str, storage_loop: asyncio.AbstractEventLoop
) -> Iterator[Callable[[], Awaitable[Storage]]]:
    """Factory: ``await open_backend()`` opens another handle on this test's URL."""
    opened: list[Storage] = []

    async def factory() -> Storage:
        store = open_storage(backend, now_ms=OPENED_AT)
        await store.open()
        opened.append(store)
        return store

    yield factory
    for store in reversed(opened):
        storage_loop.run_until_complete(store.close())


@pytest.fixture
def storage(
    open_backend: Callable[[], Awaitable[Storage]], storage_loop: asyncio.AbstractEventLoop
) -> Storage:
    return storage_loop.run_until_complete(open_backend())


@pytest.fixture
def rows() -> Rows:
    return Rows()


@pytest.fixture
def sequence_id(storage: Storage, rows: Rows, storage_loop: asyncio.AbstractEventLoop) -> str:
    """A registered sequence that instances can point at."""
    stored, _ = storage_loop.run_until_complete(
        storage.register_sequence(rows.sequence("flow", id="seq-flow"), explicit_version=True)
    )
    return stored.id


@pytest.fixture
def make_instance(
    storage: Storage, rows: Rows, sequence_id: str
) -> Callable[..., Awaitable[InstanceRow]]:
    """``await make_instance(**fields)``: insert one instance of ``sequence_id``, return it."""

    async def factory(**fields: Any) -> InstanceRow:
        row = rows.instance(sequence_id, **fields)
        [(iid, deduplicated)] = await storage.create_instances([row], [])
        assert (iid, deduplicated) == (row.id, False)
        return row

    return factory


@pytest.fixture
def snapshot(storage: Storage) -> Callable[[str], Awaitable[dict[str, Any]]]:
    """``await snapshot(instance_id)``: everything stored for one instance, to compare."""

    async def take(instance_id: str) -> dict[str, Any]:
        return {
            "instance": await storage.get_instance(instance_id),
            "tree": await storage.get_tree(instance_id),
            "outputs": await storage.get_outputs(instance_id),
            "audit": await storage.get_audit(instance_id),
            "signals": await storage.get_signals(instance_id),
            "kv": await storage.get_kv(instance_id),
            "tasks": await storage.list_worker_tasks(instance_id=instance_id),
        }

    return take


class Rows:
    """Row builders with deterministic ids (``inst-1``, ``task-2``...) and fixed times."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def next_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    def sequence(
        self,
        name: str = "flow",
        *,
        id: str | None = None,
        version: int = 1,
        fingerprint: str = "fp-a",
        tenant_id: str = "t1",
        namespace: str = "default",
        deprecated: bool = False,
        created_at: int = 1_000,
    ) -> SequenceRow:
        sid = id or self.next_id("seq")
        definition = {"id": sid, "name": name, "version": version, "blocks": [fingerprint]}
        return SequenceRow(
            sid, tenant_id, namespace, name, version, definition, fingerprint, deprecated,
            "active", created_at,
        )  # fmt: skip

    def instance(self, sequence_id: str, **fields: Any) -> InstanceRow:
        values: dict[str, Any] = {
            "id": self.next_id("inst"),
            "sequence_id": sequence_id,
            "tenant_id": "t1",
            "namespace": "default",
            "state": "scheduled",
            "next_fire_at": None,
            "priority": 1,
            "timezone": "UTC",
            "metadata": {},
            "context_data": {"n": 1},
            "context_config": {},
            "context_audit": [],
            "context_runtime": {},
            "concurrency_key": None,
            "max_concurrency": None,
            "idempotency_key": None,
            "session_id": None,
            "parent_instance_id": None,
            "budget": None,
            "created_at": 1_000,
            "updated_at": 1_000,
        }
        values.update(fields)
        return InstanceRow(**values)

    def audit(self, instance_id: str, event_type: str = "created", **fields: Any) -> AuditRow:
        values: dict[str, Any] = {
            "id": self.next_id("audit"),
            "instance_id": instance_id,
            "tenant_id": "t1",
            "event_type": event_type,
            "from_state": None,
            "to_state": "scheduled",
            "block_id": None,
            "details": {"by": "test"},
            "created_at": 1_000,
        }
        values.update(fields)
        return AuditRow(**values)

    def node(self, instance_id: str, block_id: str, position: int, **fields: Any) -> NodeRow:
        values: dict[str, Any] = {
            "id": self.next_id("node"),
            "instance_id": instance_id,
            "block_id": block_id,
            "parent_id": None,
            "block_type": "step",
            "branch_index": None,
            "position": position,
            "state": "pending",
        }
        values.update(fields)
        return NodeRow(**values)

    def output(
        self, instance_id: str, block_id: str, output: Any, ref: str | None = None, **fields: Any
    ) -> OutputRow:
        values: dict[str, Any] = {
            "id": self.next_id("out"),
            "instance_id": instance_id,
            "block_id": block_id,
            "output": output,
            "output_ref": ref,
            "output_size": 10,
            "attempt": 1,
            "created_at": 2_000,
        }
        values.update(fields)
        return OutputRow(**values)

    def signal(self, instance_id: str, signal_type: str = "pause", **fields: Any) -> SignalRow:
        values: dict[str, Any] = {
            "id": self.next_id("sig"),
            "instance_id": instance_id,
            "signal_type": signal_type,
            "payload": {"why": "test"},
            "created_at": 1_500,
        }
        values.update(fields)
        return SignalRow(**values)

    def task(self, instance_id: str, handler: str = "h", **fields: Any) -> WorkerTaskRow:
        values: dict[str, Any] = {
            "id": self.next_id("task"),
            "instance_id": instance_id,
            "tenant_id": "t1",
            "block_id": "s1",
            "handler_name": handler,
            "queue_name": None,
            "params": {"p": 1},
            "context": {"data": {}},
            "attempt": 1,
            "timeout_ms": 30_000,
            "state": "pending",
            "created_at": 1_000,
        }
        values.update(fields)
        return WorkerTaskRow(**values)
