"""The asynchronous engine: storage, scheduler, handlers and every operation on them.

:class:`AsyncEngine` runs on one event loop (the engine thread's, or the host's in async
applications). The notebook-facing :class:`~orch8_nb.engine.facade.Engine` is a thin sync
shell around it. Starting and stopping it are in :mod:`orch8_nb.engine.lifecycle`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from orch8_nb.engine.admission import admit, new_instance_rows
from orch8_nb.engine.blocks.approvals import pending_approvals
from orch8_nb.engine.breakers import CircuitBreakers
from orch8_nb.engine.budgets import check_budget
from orch8_nb.engine.catalog import SequenceCatalog, SequenceRef, UnregisteredHandlerWarning
from orch8_nb.engine.clock import Clock, RealClock
from orch8_nb.engine.driving import run_until_idle, settle
from orch8_nb.engine.edits import Edits
from orch8_nb.engine.events import EventBus
from orch8_nb.engine.extensions import install_extensions
from orch8_nb.engine.handlers import HandlerRegistry
from orch8_nb.engine.handlers.builtins import register_builtins
from orch8_nb.engine.handlers.registry import HandlerFn
from orch8_nb.engine.lifecycle import Lifecycle
from orch8_nb.engine.migration.moving import Migrator
from orch8_nb.engine.records import Records
from orch8_nb.engine.rerun import Rerun
from orch8_nb.engine.run import Run
from orch8_nb.engine.scheduler import Scheduler
from orch8_nb.engine.services import Services
from orch8_nb.engine.signals import check_signal
from orch8_nb.engine.waiters import Waiters
from orch8_nb.engine.workers import WorkerGateway, reroute_to_handler
from orch8_nb.errors import NotFoundError
from orch8_nb.model import SequenceDefinition
from orch8_nb.storage import open_storage
from orch8_nb.storage.base import Storage
from orch8_nb.storage.rows import InstanceBundle, InstanceFilter, InstanceRow, SignalRow
from orch8_nb.storage.urls import DEFAULT_URL

if TYPE_CHECKING:  # the agents package sits above the engine
    from orch8_nb.agents.services import AgentServices

F = TypeVar("F", bound=Callable[..., Any])
__all__ = ["AsyncEngine", "UnregisteredHandlerWarning"]


class AsyncEngine(Lifecycle):
    """A durable workflow engine on one asyncio loop.

    ``url`` picks the storage (default: ``sqlite:///orch8.db`` in the working directory).
    ``clock`` injects time (:class:`VirtualClock` for tests). With ``autostart=False`` only
    :meth:`tick_once` and :meth:`run_until_idle` advance work (no scheduler loop).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        clock: Clock | None = None,
        tenant_id: str = "default",
        namespace: str = "default",
        tick_interval_ms: int = 100,
        batch_size: int = 200,
        max_concurrent_instances: int = 128,
        handler_threads: int = 32,
        autostart: bool = True,
        storage: Storage | None = None,
    ) -> None:
        self.clock: Clock = clock or RealClock()
        self.url = url or DEFAULT_URL
        self.storage: Storage = storage or open_storage(self.url, now_ms=self.clock.now_ms())
        self.tenant_id = tenant_id
        self.namespace = namespace
        self.autostart = autostart
        self.registry = HandlerRegistry()
        register_builtins(self.registry)
        self.bus = EventBus()
        self.node_id = str(uuid.uuid4())  # never from a seeded clock: must be unique
        self._pool = ThreadPoolExecutor(handler_threads, thread_name_prefix="orch8-handler")
        self.catalog = SequenceCatalog(
            self.storage, self.registry, self.clock, tenant_id, namespace
        )
        self._waiters = Waiters()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scheduler_task: asyncio.Task[None] | None = None
        self._started = False
        self._closed = False
        self._unlisten: Callable[[], None] | None = None
        self._background: set[asyncio.Task[int]] = set()
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._stopping: asyncio.Event | None = None
        self.services = Services(
            self.storage, self.registry, self.clock, self._pool, self.bus, self.node_id,
            self._on_terminal, self._on_reschedule, self._on_waiting_local,
            self._on_signal, self.catalog.find_compiled, CircuitBreakers(self.clock),
        )  # fmt: skip
        #: The worker-task protocol (poll, complete, fail) over this engine.
        self.workers = WorkerGateway(self.services, self._load_run, tenant_id)
        #: Operating instances: running again, moving versions, checkpoints and sessions.
        self.rerun = Rerun(self.services, self._load_run)
        self.migrator = Migrator(self.services, self._load_run, self.catalog)
        self.records = Records(self.services, tenant_id, self._load_run)
        self.edits = Edits(self.services, tenant_id)
        self.scheduler = Scheduler(
            self.services,
            self.catalog.for_instance,
            tick_interval_ms=tick_interval_ms,
            batch_size=batch_size,
            max_concurrent=max_concurrent_instances,
        )
        #: Services of the packages above the engine (``"agents"``), by name.
        self.extensions = self.services.extensions
        self.extensions.update(install_extensions(self))

    # -- handlers --------------------------------------------------------------------------------

    def handler(self, name: str | Callable[..., Any] | None = None) -> Any:
        """Register a handler: ``@engine.handler("charge")`` or ``@engine.handler``.

        Sync functions run in a thread pool, async ones on the engine loop. Registering a
        name again replaces the previous function (safe to re-run a notebook cell).
        """
        if callable(name):
            fn = name
            self.register_handler(getattr(fn, "__name__", "handler"), fn)
            return fn

        def decorate(fn: F) -> F:
            self.register_handler(name or fn.__name__, fn)
            return fn

        return decorate

    @property
    def llm(self) -> AgentServices:
        """Models, tools, record/replay cassettes and prices (``orch8_nb.agents``)."""
        kit = self.extensions.get("agents")
        if kit is None:
            raise RuntimeError("orch8_nb.agents is not installed in this engine")
        return kit  # type: ignore[no-any-return]

    def register_handler(self, name: str, fn: HandlerFn) -> None:
        """Register (or replace) a handler; steps already waiting on it as worker tasks
        come back to run in-process."""
        self.registry.register(name, fn)
        loop = self._loop
        if self._started and not self._closed and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._spawn_reroute, name)

    def _spawn_reroute(self, name: str) -> None:
        task = asyncio.ensure_future(reroute_to_handler(self.services, self._load_run, name))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- sequences -------------------------------------------------------------------------------

    async def upsert_sequence(self, sequence: SequenceRef) -> SequenceDefinition:
        """Register a sequence version (create-or-get); returns it with id and version set.

        Without an explicit ``version``, unchanged blocks return the latest version and
        changed blocks create the next one; instances already running stay on theirs.
        """
        return await self.catalog.upsert(sequence)

    async def get_sequence(self, sequence_id: str) -> SequenceDefinition:
        return (await self.catalog.compiled(sequence_id)).definition

    async def find_sequence(self, name: str, version: int | None = None) -> SequenceDefinition:
        """An exact version, or the latest non-deprecated one."""
        return await self.catalog.find(name, version)

    async def list_sequence_versions(self, name: str) -> list[SequenceDefinition]:
        return await self.catalog.versions(name)

    # -- instances -------------------------------------------------------------------------------

    async def create_instance(
        self,
        sequence: SequenceDefinition | Mapping[str, Any] | str,
        data: Mapping[str, Any] | None = None,
        *,
        context: Mapping[str, Any] | None = None,
        priority: Any = "Normal",
        next_fire_at: Any = None,
        idempotency_key: str | None = None,
        concurrency_key: str | None = None,
        max_concurrency: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        timezone: str = "UTC",
        budget: Mapping[str, Any] | None = None,
        session_id: str | None = None,
    ) -> tuple[str, bool]:
        """Start an instance; returns ``(instance_id, deduplicated)``.

        ``data`` is shorthand for ``context={"data": data}``. A repeated
        ``idempotency_key`` returns the first instance's id with ``deduplicated=True``.
        Nothing is written unless every check passes.
        """
        limits = check_budget(budget)
        compiled = await self.catalog.resolve(sequence)
        admitted = admit(
            compiled.definition.input_schema, data, context,
            priority=priority, next_fire_at=next_fire_at, idempotency_key=idempotency_key,
            concurrency_key=concurrency_key, max_concurrency=max_concurrency,
            metadata=metadata, timezone=timezone,
        )  # fmt: skip
        fire = admitted.fire_at
        # Due now, no concurrency group, room to run: start it here without a claim.
        local = (
            self._started and self.autostart and not self._closed
            and (fire is None or fire <= self.clock.now_ms()) and concurrency_key is None
            and self.scheduler.has_capacity()
        )  # fmt: skip
        row, audits = new_instance_rows(
            admitted, compiled, self.clock, owner=self.node_id if local else None
        )
        row.budget = limits
        if session_id is not None:
            row.session_id = (await self.records.session(session_id)).id
        [(found, dedup)] = await self.storage.create_instances([row], audits)
        if dedup:
            return found, True
        if local:
            await self.scheduler.start_local(InstanceBundle(row, [], {}, {}, [], {}))
        else:
            self.scheduler.wake(fire)
        return found, False

    async def get_instance_row(self, instance_id: str) -> InstanceRow:
        row = await self.storage.get_instance(instance_id)
        if row is None:
            raise NotFoundError(f"instance {instance_id} not found")
        return row

    async def list_instance_rows(
        self,
        *,
        state: str | list[str] | None = None,
        sequence_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
        metadata: Mapping[str, Any] | None = None,
    ) -> list[InstanceRow]:
        states = (state,) if isinstance(state, str) else tuple(state or ())
        flt = InstanceFilter(self.tenant_id, None, sequence_id, states, None, dict(metadata or {}))
        return await self.storage.list_instances(flt, limit, offset)

    async def pending_approvals(self) -> list[dict[str, Any]]:
        """Human-input gates waiting for an answer, oldest first."""
        return await pending_approvals(self.storage, self.catalog, self.tenant_id)

    # -- signals ---------------------------------------------------------------------------------

    async def send_signal(self, instance_id: str, signal_type: Any, payload: Any = None) -> str:
        """Queue a signal (``pause``, ``resume``, ``cancel``, ``update_context`` or custom);
        rejected for unknown or terminal instances. Returns the signal id."""
        kind, body = check_signal(signal_type, payload)
        sid = self.clock.uuid()
        row = SignalRow(sid, instance_id, kind.to_db(), body, self.clock.now_ms())
        await self.storage.enqueue_signal(row)
        self.scheduler.notify_signal(instance_id, kind.to_db())
        return sid

    async def _load_run(self, instance_id: str) -> Run | None:
        bundle = await self.storage.load_bundle(instance_id)
        if bundle is None:
            return None
        seq = await self.catalog.for_instance(bundle.instance)
        return Run.from_bundle(bundle, seq, self.clock)

    # -- driving by hand -------------------------------------------------------------------------

    async def tick_once(self) -> int:
        """One scheduler pass, waiting for the instances it started to stop; returns how
        many instances it moved (started, resumed or cancelled)."""
        if self._background:  # handlers registered meanwhile: let their steps come back first
            await asyncio.wait(self._background)
        started = await self.scheduler.tick(force_sweep=True)
        await settle(self.scheduler, self.clock)
        return started

    async def run_until_idle(self, *, max_ticks: int = 100_000) -> int:
        """Tick until nothing is due; with a virtual clock, jump to each next timer too.

        Returns how many instance runs it moved. Waiting instances (workers, people) are
        left waiting.
        """
        return await run_until_idle(
            self.tick_once, self.scheduler, self.storage, self.clock, max_ticks
        )

    # -- waiting ---------------------------------------------------------------------------------
    def _on_terminal(self, instance_id: str, state: str) -> None:
        self._waiters.finish(instance_id, state)

    def _on_reschedule(self, fire_at: int | None) -> None:
        self.scheduler.wake(fire_at)

    def _on_signal(self, instance_id: str, kind: str) -> None:
        self.scheduler.notify_signal(instance_id, kind)

    def _on_waiting_local(self, handlers: set[str]) -> None:
        for name in sorted(handlers):
            self._spawn_reroute(name)

    async def wait(self, instance_id: str, timeout: float | None = None) -> str:
        """Wait until this engine finishes the instance; returns its terminal state.

        Call it on the engine's loop. Instances finished by other engines are not noticed.
        """
        fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiters.add(instance_id, fut)
        try:
            if instance_id not in self.scheduler.runners:
                row = await self.get_instance_row(instance_id)
                if row.state in ("completed", "failed", "cancelled"):
                    return row.state
            return await asyncio.wait_for(fut, timeout)
        finally:
            self._waiters.forget(instance_id, fut)

    def forget_waiter(self, instance_id: str, fut: Future[str]) -> None:
        self._waiters.forget(instance_id, fut)

    def terminal_future(self, instance_id: str) -> Future[str]:
        """A future resolved with the terminal state when this engine finishes the instance."""
        fut: Future[str] = Future()
        self._waiters.add(instance_id, fut)
        return fut
