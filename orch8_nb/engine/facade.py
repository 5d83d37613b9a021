"""``Engine``: the synchronous, notebook-safe face of :class:`AsyncEngine`.

The engine loop runs in a daemon thread; each method here is one hop to it. Re-running a
cell is safe: handlers are replaced, changed sequences become new versions, and a second
``Engine`` on the same database file cleanly replaces the first (taking over its handlers)
instead of running beside it.

Groups of methods live in mixins: :mod:`~orch8_nb.engine.operations` (DLQ, reruns,
migration, sessions, limits), :mod:`~orch8_nb.engine.worker_calls` (the worker protocol)
and :mod:`~orch8_nb.engine.display` (what an instance's reprs draw).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orch8_nb.engine import recovery
from orch8_nb.engine.clock import Clock
from orch8_nb.engine.convert import audit_model, instance_model, node_model, output_model
from orch8_nb.engine.core import AsyncEngine
from orch8_nb.engine.display import Display
from orch8_nb.engine.extensions import carry_over
from orch8_nb.engine.instance import Instance
from orch8_nb.engine.loopthread import EngineStopped, LoopThread
from orch8_nb.engine.operations import Operations
from orch8_nb.engine.worker_calls import WorkerCalls
from orch8_nb.model import AuditEntry, BlockOutput, ExecutionNode, SequenceDefinition, TaskInstance
from orch8_nb.storage.rows import InstanceFilter, InstanceRow

if TYPE_CHECKING:  # these packages sit above the engine; only their types are needed here
    from orch8_nb.agents.services import AgentServices
    from orch8_nb.analytics import Analytics
    from orch8_nb.server import Server

_LIVE: dict[str, weakref.ref[Engine]] = {}
_LIVE_LOCK = threading.Lock()


class Engine(Operations, WorkerCalls, Display):
    """A durable workflow engine for notebooks and scripts.

    ``Engine()`` keeps its data in ``orch8.db`` in the working directory;
    ``Engine("sqlite:///path/to.db")`` elsewhere; ``Engine("sqlite://:memory:")`` for
    throwaway work. Pass ``clock=VirtualClock()`` to make time move only when told.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        clock: Clock | None = None,
        autostart: bool = True,
        **options: Any,
    ) -> None:
        self._core = AsyncEngine(url, clock=clock, autostart=autostart, **options)
        self._thread = LoopThread()
        self._analytics: Analytics | None = None
        key = _file_key(self._core.storage.url, getattr(self._core.storage, "path", None))
        self._key = key
        if key is not None:
            with _LIVE_LOCK:
                previous = _LIVE.get(key)
                old = previous() if previous is not None else None
                _LIVE[key] = weakref.ref(self)
            if old is not None and not old.closed:
                self._core.registry.copy_user_handlers(old._core.registry)
                carry_over(self._core.extensions, old._core.extensions)
                old.shutdown()
        self._thread.call(self._core.start())
        self._finalizer = weakref.finalize(self, _abandon, self._thread, self._core.node_id)

    # -- plumbing --------------------------------------------------------------------------------

    @property
    def aio(self) -> AsyncEngine:
        """The async engine underneath (its coroutines run on the engine thread's loop)."""
        return self._core

    @property
    def clock(self) -> Clock:
        return self._core.clock

    @property
    def closed(self) -> bool:
        return self._core.closed

    @property
    def url(self) -> str:
        return self._core.storage.url

    def schema_version(self) -> int:
        """The storage schema's migration number."""
        return self._thread.call(self._core.storage.schema_version())

    def start(self) -> None:
        """Start the background scheduler of an engine made with ``autostart=False``."""
        self._thread.call(self._core.start_scheduler())

    def shutdown(self, timeout: float = 10.0) -> None:
        """Drain (up to ``timeout`` s), hand unfinished instances back, stop the thread."""
        if self._core.closed:
            return
        if self._analytics is not None:
            self._analytics.close()
        try:
            self._thread.call(self._core.shutdown(timeout))
        finally:
            self._thread.stop()

    close = shutdown

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- handlers --------------------------------------------------------------------------------

    def handler(self, name: str | Callable[..., Any] | None = None) -> Any:
        """Decorator registering a handler: ``@engine.handler("charge")`` or bare."""
        return self._core.handler(name)

    @property
    def handlers(self) -> list[str]:
        return self._core.registry.names()

    def serve(
        self,
        port: int = 8080,
        *,
        host: str = "127.0.0.1",
        api_key: str | None = None,
        cors_origins: Sequence[str] = (),
    ) -> Server:
        """Serve Orch8's REST and worker API, and the web dashboard at ``/dashboard``, on a
        background thread (``port=0``: any free port); ``.url`` is where, ``.stop()`` ends
        it. ``cors_origins`` lets browser apps on those origins call it. Needs
        ``orch8-nb[server]``."""
        try:
            from orch8_nb.server import Server  # the layer above, and FastAPI: on use
        except ImportError as exc:
            raise ImportError(
                f"engine.serve needs the server extra: pip install 'orch8-nb[server]' ({exc})"
            ) from None
        return Server(self, host=host, port=port, api_key=api_key, cors_origins=cors_origins)

    @property
    def analytics(self) -> Analytics:
        """SQL and ready-made questions over this engine's history, in DuckDB (made on
        first use; see ``docs/analytics.md``)."""
        if self._analytics is None:
            from orch8_nb.analytics import Analytics  # the layer above, and DuckDB: on use

            self._analytics = Analytics(self)
        return self._analytics

    @property
    def llm(self) -> AgentServices:
        """Models, tools, record/replay cassettes and prices (``orch8_nb.agents``)."""
        return self._core.llm

    def tool(self, fn: Callable[..., Any] | None = None, /, **options: Any) -> Any:
        """Decorator registering a Python tool for models: ``@engine.tool`` or
        ``@engine.tool(dangerous=True)``; its JSON Schema comes from the signature."""
        return self._core.llm.tool(fn, **options)

    # -- sequences -------------------------------------------------------------------------------

    def upsert_sequence(
        self, sequence: SequenceDefinition | Mapping[str, Any] | str
    ) -> SequenceDefinition:
        """Register a version (create-or-get); returns it with ``id`` and ``version`` set."""
        return self._thread.call(self._core.upsert_sequence(sequence))

    register = upsert_sequence

    def get_sequence(self, sequence_id: str) -> SequenceDefinition:
        return self._thread.call(self._core.get_sequence(sequence_id))

    def find_sequence(self, name: str, version: int | None = None) -> SequenceDefinition:
        return self._thread.call(self._core.find_sequence(name, version))

    def deprecate_sequence(self, sequence_id: str, deprecated: bool = True) -> SequenceDefinition:
        """Deprecate a version (or undo it with ``deprecated=False``): starting an instance
        by name then takes the latest version that is not deprecated; running instances
        keep theirs."""
        return self._thread.call(self._core.catalog.deprecate(sequence_id, deprecated))

    def sequence_versions(self, name: str) -> list[SequenceDefinition]:
        return self._thread.call(self._core.list_sequence_versions(name))

    def list_sequences(
        self, name: str | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[SequenceDefinition]:
        """Every version of this engine's tenant and namespace (of ``name`` only, if
        given), by name then version."""
        core = self._core
        rows = self._thread.call(core.storage.list_sequences(
            core.tenant_id, core.namespace, name, limit, offset))  # fmt: skip
        return [SequenceDefinition.from_json(r.definition) for r in rows]

    def delete_sequence(self, sequence_id: str, *, purge: bool = False) -> int:
        """Delete a version. Refused (``ConflictError``) while an instance of it is
        unfinished, and while finished ones still reference it unless ``purge``, which
        deletes them too (their audit rows stay). Returns how many instances went."""
        return self._thread.call(self._core.catalog.delete(sequence_id, purge=purge))

    # -- instances -------------------------------------------------------------------------------

    def create_instance(
        self,
        sequence: SequenceDefinition | Mapping[str, Any] | str,
        data: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> Instance:
        """Start an instance of ``sequence`` (a definition, its name or its id).

        Options: ``context``, ``priority``, ``next_fire_at``, ``idempotency_key``,
        ``concurrency_key`` + ``max_concurrency``, ``metadata``, ``timezone``, ``budget``,
        ``session`` (a :class:`Session` or its id). The handle's ``deduplicated`` tells
        whether an idempotency key matched.
        """
        session = options.pop("session", None)
        if session is not None:
            options["session_id"] = getattr(session, "id", session)
        iid, dedup = self._thread.call(self._core.create_instance(sequence, data, **options))
        return Instance(self, iid, deduplicated=dedup)

    def run(
        self,
        sequence: SequenceDefinition | Mapping[str, Any] | str,
        data: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        **options: Any,
    ) -> Instance:
        """Create an instance and wait for it to finish (completed, failed or cancelled)."""
        return self.create_instance(sequence, data, **options).wait(timeout)

    def get_instance(self, instance_id: str) -> Instance:
        """A handle on an existing instance (raises ``NotFoundError`` if unknown)."""
        self._row(instance_id)
        return Instance(self, instance_id)

    def list_instances(
        self,
        state: str | list[str] | None = None,
        *,
        sequence: SequenceDefinition | str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Instance]:
        """Instances, newest first, optionally filtered by state(s) and sequence version.

        ``sequence`` is a registered definition or a version's id (a name is ambiguous
        across versions: pass ``find_sequence(name)`` for the latest).
        """
        seq_id = str(sequence.id) if isinstance(sequence, SequenceDefinition) else sequence
        if seq_id is not None:
            self.get_sequence(seq_id)  # NotFoundError names an unknown id (or a name)
        rows = self._thread.call(
            self._core.list_instance_rows(
                state=state, sequence_id=seq_id, limit=limit, offset=offset
            )
        )
        return [Instance(self, r.id) for r in rows]

    def pending_approvals(self) -> list[dict[str, Any]]:
        """Human-input gates waiting for an answer (instance, block, prompt, choices...)."""
        return self._thread.call(self._core.pending_approvals())

    def next_timer(self) -> int | None:
        """When the next scheduled instance comes due (epoch ms, after now), if any."""
        core = self._core
        return self._thread.call(core.storage.next_fire_at(after=core.clock.now_ms()))

    def counts(self) -> dict[str, int]:
        """Instances per state."""
        flt = InstanceFilter(tenant_id=self._core.tenant_id)
        return self._thread.call(self._core.storage.count_instances(flt))

    def _instance_model(self, instance_id: str) -> TaskInstance:
        return instance_model(self._row(instance_id))

    def outputs(self, instance_id: str) -> list[BlockOutput]:
        rows = self._thread.call(self._core.storage.get_outputs(instance_id))
        return [output_model(r) for r in rows]

    def tree(self, instance_id: str) -> list[ExecutionNode]:
        rows = self._thread.call(self._core.storage.get_tree(instance_id))
        return [node_model(r) for r in rows]

    def audit(self, instance_id: str) -> list[AuditEntry]:
        rows = self._thread.call(self._core.storage.get_audit(instance_id))
        return [audit_model(r) for r in rows]

    def send_signal(self, instance_id: str, signal_type: Any, payload: Any = None) -> str:
        """Queue ``pause``, ``resume``, ``cancel``, ``update_context`` or a custom signal."""
        return self._thread.call(self._core.send_signal(instance_id, signal_type, payload))

    # -- driving by hand -------------------------------------------------------------------------

    def tick_once(self) -> int:
        """One scheduler pass (claim, run to the next stop); returns instances started."""
        return self._thread.call(self._core.tick_once())

    def run_until_idle(self) -> int:
        """Run everything due; with a virtual clock also jump through pending timers."""
        return self._thread.call(self._core.run_until_idle())

    # -- internals for Instance ------------------------------------------------------------------

    def _row(self, instance_id: str) -> InstanceRow:
        return self._thread.call(self._core.get_instance_row(instance_id))

    def _children(self, instance_id: str) -> list[Instance]:
        flt = InstanceFilter(tenant_id=self._core.tenant_id, parent_instance_id=instance_id)
        rows = self._thread.call(self._core.storage.list_instances(flt, 10_000, 0))
        return [Instance(self, r.id) for r in sorted(rows, key=lambda r: (r.created_at, r.id))]

    def _terminal_future(self, instance_id: str) -> Future[str]:
        return self._core.terminal_future(instance_id)

    def _forget_waiter(self, instance_id: str, fut: Future[str]) -> None:
        self._core.forget_waiter(instance_id, fut)

    def _live(self) -> Engine:
        """This engine, or the one that replaced it on the same file (old handles keep
        working after an ``Engine(...)`` cell is re-run)."""
        if not self._core.closed:
            return self
        if self._key is not None:
            with _LIVE_LOCK:
                ref = _LIVE.get(self._key)
            successor = ref() if ref is not None else None
            if successor is not None and not successor.closed:
                return successor
        raise EngineStopped(
            f"this engine ({self.url}) has been shut down; create a new Engine to reach "
            "its instances"
        )

    def __repr__(self) -> str:
        state = "closed" if self.closed else "running"
        return f"<orch8_nb.Engine {self.url} ({state})>"


def _file_key(url: str, path: str | None) -> str | None:
    if path is None or path == ":memory:":
        return None
    return str(Path(path).resolve())


def _abandon(thread: LoopThread, node_id: str) -> None:
    """An engine dropped without ``shutdown()``: stop its loop and let the next engine in
    this process recover what it held (it no longer counts as alive)."""
    recovery.LOCAL_NODES.discard(node_id)
    thread.stop()
