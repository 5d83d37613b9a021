"""The asynchronous engine: storage, scheduler, handlers and every operation on them.

:class:`AsyncEngine` runs on one event loop (the engine thread's, or the host's in async
applications). The notebook-facing :class:`~orch8_nb.engine.facade.Engine` is a thin sync
shell around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import uuid
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from orch8_nb.engine import recovery
from orch8_nb.engine.admission import (
    check_context,
    check_input_schema,
    check_options,
    parse_priority,
    parse_time,
    raise_if,
)
from orch8_nb.engine.blocks import SUPPORTED
from orch8_nb.engine.clock import Clock, RealClock, wall_clock_ms
from orch8_nb.engine.compiled import CompiledSequence, check_supported, fingerprint
from orch8_nb.engine.dispatch import active_sync_handlers
from orch8_nb.engine.events import EventBus
from orch8_nb.engine.handlers import HandlerRegistry
from orch8_nb.engine.handlers.builtins import register_builtins
from orch8_nb.engine.handlers.registry import HandlerFn
from orch8_nb.engine.run import Run, StepError
from orch8_nb.engine.scheduler import Scheduler
from orch8_nb.engine.services import Services
from orch8_nb.engine.workers import finish_task, reroute_to_handler
from orch8_nb.errors import (
    NotFoundError,
    Problem,
    SignalValidationError,
    UnsupportedFeatureError,
)
from orch8_nb.model import SequenceDefinition, SignalKind
from orch8_nb.storage import open_storage
from orch8_nb.storage.base import Storage
from orch8_nb.storage.rows import (
    AuditRow,
    InstanceBundle,
    InstanceFilter,
    InstanceRow,
    NodeInfo,
    SequenceRow,
    SignalRow,
    WorkerTaskRow,
)
from orch8_nb.storage.urls import DEFAULT_URL

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("orch8_nb.engine")

#: Sequence versions kept parsed in memory (they are immutable, so never stale).
SEQUENCE_CACHE_SIZE = 1000


class UnregisteredHandlerWarning(UserWarning):
    """A step names a handler this engine does not know: it will wait for a worker."""


class AsyncEngine:
    """A durable workflow engine on one asyncio loop.

    ``url`` picks the storage (default: ``sqlite:///orch8.db`` in the working directory).
    ``clock`` injects time (:class:`VirtualClock` for tests). With ``autostart=False`` the
    scheduler loop does not run and work advances only through :meth:`tick_once` and
    :meth:`run_until_idle`.
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
        self._sequences: OrderedDict[str, CompiledSequence] = OrderedDict()
        # Waiters register from cell threads and are woken on the loop: guarded by a lock.
        self._waiters: dict[str, list[Future[str] | asyncio.Future[str]]] = {}
        self._waiters_lock = threading.Lock()
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
            self._on_terminal, self._on_reschedule,
        )  # fmt: skip
        self.scheduler = Scheduler(
            self.services,
            self._compiled,
            tick_interval_ms=tick_interval_ms,
            batch_size=batch_size,
            max_concurrent=max_concurrent_instances,
        )

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open storage, register this engine, recover orphans, start the scheduler."""
        if self._started:
            return
        self._loop = asyncio.get_running_loop()
        await self.storage.open()
        wall = wall_clock_ms()
        recovery.LOCAL_NODES.add(self.node_id)
        await self.storage.register_node(
            NodeInfo(self.node_id, recovery.HOSTNAME, os.getpid(), wall, wall)
        )
        await recovery.recover(self.storage, self.node_id, self.clock.now_ms())
        self._started = True
        self._stopping = asyncio.Event()
        self._heartbeat_task = self._loop.create_task(self._heartbeat_forever(self._stopping))
        on_advance = getattr(self.clock, "on_advance", None)
        if on_advance is not None:
            loop = self._loop
            self._unlisten = on_advance(
                lambda now: (
                    loop.call_soon_threadsafe(self.scheduler.wake, now)
                    if not loop.is_closed()
                    else None
                )
            )
        if self.autostart:
            await self.start_scheduler()

    async def _heartbeat_forever(self, stopping: asyncio.Event) -> None:
        """Tell other engines on this database we are alive; release what dead ones held.

        Runs in real time, with or without the scheduler loop and whatever the clock.
        """
        while not self._closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), recovery.HEARTBEAT_MS / 1000)
            if self._closed:
                return
            try:
                await self.storage.heartbeat_node(self.node_id, wall_clock_ms())
                released = await recovery.recover(self.storage, self.node_id, self.clock.now_ms())
            except Exception:
                log.exception("engine heartbeat failed")
                continue
            if released:
                log.warning("recovered %d instance(s) from dead engines", len(released))
                self.scheduler.wake()

    async def start_scheduler(self) -> None:
        """Run the scheduler loop (claims, timers, signals) until shutdown. Idempotent."""
        if self._closed or not self._started:
            raise RuntimeError("the engine is not running")
        if self._scheduler_task is None or self._scheduler_task.done():
            self.autostart = True
            loop = asyncio.get_running_loop()
            self._scheduler_task = loop.create_task(self.scheduler.run_forever())

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Stop claiming, let running steps finish for up to ``timeout`` s, hand back the rest.

        Instances still held afterwards return to ``scheduled`` so another engine (or the
        next kernel) picks them up; their in-flight steps run again there.
        """
        if self._closed:
            return
        self._closed = True
        if self._stopping is not None:
            self._stopping.set()
        self.scheduler.stop()
        if self._heartbeat_task is not None:
            await asyncio.wait({self._heartbeat_task})
        if self._scheduler_task is not None:
            await asyncio.wait({self._scheduler_task}, timeout=timeout)
            if not self._scheduler_task.done():
                self._scheduler_task.cancel()
                await asyncio.wait({self._scheduler_task})
        await self.scheduler.drain(timeout * 1000)
        if self._background:
            await asyncio.wait(self._background, timeout=timeout)
        if self._started:
            now = self.clock.now_ms()
            await self.storage.release_instances(now, "engine shutdown", owners=[self.node_id])
            await self.storage.remove_node(self.node_id)
        recovery.LOCAL_NODES.discard(self.node_id)
        if self._unlisten is not None:
            self._unlisten()
        await self.storage.close()
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._waiters_lock:
            waiting = [f for futures in self._waiters.values() for f in futures]
            self._waiters.clear()
        for fut in waiting:
            if not fut.done():
                fut.cancel()

    @property
    def closed(self) -> bool:
        return self._closed

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

    async def upsert_sequence(
        self, sequence: SequenceDefinition | Mapping[str, Any] | str
    ) -> SequenceDefinition:
        """Register a sequence version (create-or-get); returns it with id and version set.

        Without an explicit ``version``, unchanged blocks return the latest version and
        changed blocks create the next one; instances already running stay on theirs.
        """
        seq = _as_definition(sequence)
        check_supported(seq, SUPPORTED)
        definition = seq.model_dump(mode="json", exclude_none=True)
        # A definition that does not name its tenant or namespace lives in the engine's.
        if "tenant_id" not in seq.model_fields_set:
            definition["tenant_id"] = self.tenant_id
        if "namespace" not in seq.model_fields_set:
            definition["namespace"] = self.namespace
        now = self.clock.now_ms()
        explicit = seq.version is not None
        row = SequenceRow(
            id=str(seq.id), tenant_id=definition["tenant_id"], namespace=definition["namespace"],
            name=seq.name, version=seq.version or 0, definition=definition,
            fingerprint=fingerprint(definition), deprecated=seq.deprecated,
            status=str(definition.get("status", "production")), created_at=now,
        )  # fmt: skip
        if "created_at" not in definition:
            from orch8_nb.model.timestamps import format_timestamp, ms_to_datetime

            definition["created_at"] = format_timestamp(ms_to_datetime(now))
        stored, _ = await self.storage.register_sequence(row, explicit_version=explicit)
        compiled = self._remember(stored)
        self._warn_unregistered(compiled)
        return compiled.definition

    def _warn_unregistered(self, compiled: CompiledSequence) -> None:
        for name in sorted(compiled.handlers):
            if self.registry.get(name) is None:
                hint = self.registry.suggest(name)
                extra = f" (did you mean {hint!r}?)" if hint else ""
                warnings.warn(
                    f"sequence {compiled.definition.name!r} uses handler {name!r}, which is not "
                    f"registered in this engine{extra}; its steps will wait for an external "
                    "worker",
                    UnregisteredHandlerWarning,
                    stacklevel=4,
                )

    def _remember(self, row: SequenceRow) -> CompiledSequence:
        cached = self._sequences.get(row.id)
        if cached is None:
            definition = SequenceDefinition.from_json(row.definition)
            cached = CompiledSequence.build(row.id, definition)
            self._sequences[row.id] = cached
            if len(self._sequences) > SEQUENCE_CACHE_SIZE:
                self._sequences.popitem(last=False)
        else:
            self._sequences.move_to_end(row.id)
        return cached

    async def _compiled(self, sequence_id: str) -> CompiledSequence:
        cached = self._sequences.get(sequence_id)
        if cached is not None:
            return cached
        row = await self.storage.get_sequence(sequence_id)
        if row is None:
            raise NotFoundError(f"sequence {sequence_id} not found")
        return self._remember(row)

    async def get_sequence(self, sequence_id: str) -> SequenceDefinition:
        return (await self._compiled(sequence_id)).definition

    async def find_sequence(
        self, name: str, version: int | None = None, *, namespace: str | None = None
    ) -> SequenceDefinition:
        row = await self.storage.find_sequence(
            self.tenant_id, namespace or self.namespace, name, version
        )
        if row is None:
            which = f"version {version}" if version is not None else "any active version"
            raise NotFoundError(f"sequence {name!r} ({which}) not found")
        return self._remember(row).definition

    async def list_sequence_versions(self, name: str) -> list[SequenceDefinition]:
        rows = await self.storage.list_sequences(self.tenant_id, self.namespace, name, 10_000)
        return [self._remember(r).definition for r in rows]

    async def _resolve(
        self, sequence: SequenceDefinition | Mapping[str, Any] | str
    ) -> CompiledSequence:
        if isinstance(sequence, SequenceDefinition):
            cached = self._sequences.get(str(sequence.id))
            if cached is not None and cached.definition is sequence:
                return cached  # the object upsert_sequence returned: already registered
        if isinstance(sequence, str) and not sequence.lstrip().startswith("{"):
            if sequence in self._sequences:
                return self._sequences[sequence]
            by_id = await self.storage.get_sequence(sequence)
            if by_id is not None:
                return self._remember(by_id)
            return await self._compiled(str((await self.find_sequence(sequence)).id))
        definition = await self.upsert_sequence(sequence)
        return await self._compiled(str(definition.id))

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
    ) -> tuple[str, bool]:
        """Start an instance; returns ``(instance_id, deduplicated)``.

        ``data`` is shorthand for ``context={"data": data}``. A repeated
        ``idempotency_key`` returns the first instance's id with ``deduplicated=True``.
        Nothing is written unless every check passes.
        """
        if budget is not None:
            raise UnsupportedFeatureError(
                "budget: instance budgets are not enforced by this version yet"
            )
        compiled = await self._resolve(sequence)
        problems: list[Problem] = []
        ctx: dict[str, Any] = dict(context or {})
        if data is not None:
            if "data" in ctx:
                problems.append(Problem("data", "give data= or context['data'], not both"))
            ctx["data"] = data
        sections = check_context(ctx, problems)
        prio = parse_priority(priority, problems)
        fire = parse_time(next_fire_at, "next_fire_at", problems)
        check_options(
            idempotency_key, concurrency_key, max_concurrency, metadata, timezone, problems
        )
        check_input_schema(compiled.definition.input_schema, sections["data"], problems)
        raise_if(problems)
        now = self.clock.now_ms()
        iid = self.clock.uuid()
        # Due now, no concurrency group, room to run: start it here without a claim.
        local = (
            self._started and self.autostart and not self._closed
            and (fire is None or fire <= now) and concurrency_key is None
            and self.scheduler.has_capacity()
        )  # fmt: skip
        row = InstanceRow(
            iid, compiled.id, compiled.definition.tenant_id or self.tenant_id,
            compiled.definition.namespace, "running" if local else "scheduled", fire, prio,
            timezone,
            dict(metadata or {}), dict(sections["data"]), dict(sections["config"]),
            list(sections["audit"]), dict(sections["runtime"]), concurrency_key,
            max_concurrency, idempotency_key, None, None,
            None if budget is None else dict(budget), now, now,
            1 if local else 0, self.node_id if local else None,
        )  # fmt: skip
        audits = [
            AuditRow(
                self.clock.uuid(),
                iid,
                row.tenant_id,
                "state_transition",
                None,
                "scheduled",
                None,
                {"reason": "created", "sequence_id": compiled.id},
                now,
            )
        ]
        if local:
            audits.append(
                AuditRow(
                    self.clock.uuid(),
                    iid,
                    row.tenant_id,
                    "state_transition",
                    "scheduled",
                    "running",
                    None,
                    {"reason": "started locally"},
                    now,
                )
            )
        [(found, dedup)] = await self.storage.create_instances([row], audits)
        if dedup:
            return found, True
        if local:
            await self.scheduler.start_local(InstanceBundle(_copy_row(row), [], {}, {}, [], {}))
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

    async def count_instances(self) -> dict[str, int]:
        return await self.storage.count_instances(InstanceFilter(tenant_id=self.tenant_id))

    # -- signals ---------------------------------------------------------------------------------

    async def send_signal(self, instance_id: str, signal_type: Any, payload: Any = None) -> str:
        """Queue a signal (``pause``, ``resume``, ``cancel``, ``update_context`` or custom).

        Rejected for unknown or terminal instances; returns the signal id.
        """
        kind = _signal_kind(signal_type)
        body = {} if payload is None else payload
        if kind.to_db() == "update_context":
            data = body.get("data") if isinstance(body, Mapping) else None
            if not isinstance(body, Mapping) or not isinstance(data, Mapping):
                raise SignalValidationError(
                    [Problem("payload.data", "update_context needs an object at payload.data")]
                )
        try:
            import json

            json.dumps(body, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise SignalValidationError([Problem("payload", f"is not JSON: {exc}")]) from exc
        sid = self.clock.uuid()
        row = SignalRow(sid, instance_id, kind.to_db(), body, self.clock.now_ms())
        await self.storage.enqueue_signal(row)
        self.scheduler.notify_signal(instance_id, kind.to_db())
        return sid

    # -- worker tasks ----------------------------------------------------------------------------

    async def poll_tasks(
        self,
        handler_name: str,
        worker_id: str,
        limit: int = 1,
        *,
        queue_name: str | None = None,
    ) -> list[WorkerTaskRow]:
        """Claim up to ``limit`` pending tasks of ``handler_name`` for ``worker_id``."""
        if not 1 <= limit <= 1000:
            raise ValueError("limit must be between 1 and 1000")
        return await self.storage.claim_worker_tasks(
            handler_name, worker_id, limit, self.clock.now_ms(), queue_name, self.tenant_id
        )

    async def complete_task(
        self, task_id: str, worker_id: str, output: Any = None, *, claim_epoch: int | None = None
    ) -> None:
        await finish_task(
            self.services, self._load_run, task_id, worker_id,
            output=output, claim_epoch=claim_epoch,
        )  # fmt: skip

    async def fail_task(
        self,
        task_id: str,
        worker_id: str,
        message: str,
        *,
        retryable: bool = False,
        details: Any = None,
        claim_epoch: int | None = None,
    ) -> None:
        error = StepError(message, retryable, details, kind="worker")
        await finish_task(
            self.services, self._load_run, task_id, worker_id,
            error=error, claim_epoch=claim_epoch,
        )  # fmt: skip

    async def _load_run(self, instance_id: str) -> Run | None:
        bundle = await self.storage.load_bundle(instance_id)
        if bundle is None:
            return None
        seq = await self._compiled(bundle.instance.sequence_id)
        return Run.from_bundle(bundle, seq, self.clock)

    # -- driving by hand -------------------------------------------------------------------------

    async def tick_once(self) -> int:
        """One scheduler pass; waits for the instances it started to stop.

        Returns how many instances it moved (started, resumed or cancelled).
        """
        started = await self.scheduler.tick(force_sweep=True)
        await self._settle()
        return started

    async def run_until_idle(self, *, max_ticks: int = 100_000) -> int:
        """Tick until nothing is due; with a virtual clock, jump to each next timer too.

        Returns the number of instance runs started. Waiting instances (workers, people)
        are left waiting.
        """
        total = 0
        for _ in range(max_ticks):
            self.scheduler.wake()
            started = await self.tick_once()
            total += started
            if started:
                continue
            if not self.clock.virtual:
                return total
            head = await self.storage.next_fire_at()
            if head is None or head <= self.clock.now_ms():
                return total  # nothing timed, or due but held back (concurrency limits)
            self.clock.set(head)  # type: ignore[attr-defined]
        return total

    async def _settle(self) -> None:
        """Wait for running instances to stop; on a virtual clock, skip time they sleep on.

        Time is skipped only when no runner has moved for 50 ms of real time and no sync
        handler is running: an async handler doing real I/O for longer than that under a
        virtual clock may see its (virtual) timeout fire early.
        """
        while self.scheduler.tasks:
            tasks = list(self.scheduler.tasks.values())
            if not self.clock.virtual:
                await asyncio.wait(tasks)
                continue
            done, _ = await asyncio.wait(tasks, timeout=0.05)
            if done or active_sync_handlers() > 0:
                continue
            clock: Any = self.clock
            deadline = clock.next_deadline()
            if deadline is not None:
                clock.set(max(deadline, clock.now_ms()))

    # -- waiting ---------------------------------------------------------------------------------

    def _on_terminal(self, instance_id: str, state: str) -> None:
        with self._waiters_lock:
            waiting = self._waiters.pop(instance_id, [])
        for fut in waiting:
            if not fut.done():
                fut.set_result(state)

    def _on_reschedule(self, fire_at: int | None) -> None:
        self.scheduler.wake(fire_at)

    async def wait(self, instance_id: str, timeout: float | None = None) -> str:
        """Wait until this engine finishes the instance; returns its terminal state.

        Call it on the engine's loop. Instances finished by other engines are not noticed.
        """
        fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        with self._waiters_lock:
            self._waiters.setdefault(instance_id, []).append(fut)
        try:
            if instance_id not in self.scheduler.runners:
                row = await self.get_instance_row(instance_id)
                if row.state in ("completed", "failed", "cancelled"):
                    return row.state
            return await asyncio.wait_for(fut, timeout)
        finally:
            self.forget_waiter(instance_id, fut)

    def forget_waiter(self, instance_id: str, fut: Future[str] | asyncio.Future[str]) -> None:
        """Drop a waiter that gave up (timeout, already finished)."""
        with self._waiters_lock:
            waiting = self._waiters.get(instance_id)
            if waiting is not None and fut in waiting:
                waiting.remove(fut)
                if not waiting:
                    del self._waiters[instance_id]

    def terminal_future(self, instance_id: str) -> Future[str]:
        """A future resolved with the terminal state when this engine finishes the instance."""
        fut: Future[str] = Future()
        with self._waiters_lock:
            self._waiters.setdefault(instance_id, []).append(fut)
        return fut


def _copy_row(row: InstanceRow) -> InstanceRow:
    """The runner mutates its row; keep the one handed to storage untouched."""
    import copy

    return copy.copy(row)


def _as_definition(sequence: SequenceDefinition | Mapping[str, Any] | str) -> SequenceDefinition:
    if isinstance(sequence, SequenceDefinition):
        return sequence
    return SequenceDefinition.from_json(sequence)


def _signal_kind(value: Any) -> SignalKind:
    try:
        return SignalKind.parse(value)
    except SignalValidationError:
        raise
    except (TypeError, ValueError) as exc:
        raise SignalValidationError([Problem("signal_type", str(exc))]) from exc
