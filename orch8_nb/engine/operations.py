"""Engine methods for operating instances: the dead-letter queue, running instances again,
and moving them to another sequence version (a mixin of :class:`~orch8_nb.engine.Engine`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from orch8_nb.engine import dlq
from orch8_nb.engine.edits import signed_ms
from orch8_nb.engine.instance import Instance
from orch8_nb.engine.migration.preview import MigrationPlan
from orch8_nb.engine.session import Session
from orch8_nb.errors import InputValidationError, NotFoundError, Problem
from orch8_nb.model import SequenceDefinition
from orch8_nb.model.durations import parse_duration_ms
from orch8_nb.storage.rows import AuditRow

if TYPE_CHECKING:
    from orch8_nb.engine.core import AsyncEngine
    from orch8_nb.engine.facade import Engine
    from orch8_nb.engine.loopthread import LoopThread


class Operations:
    _core: AsyncEngine
    _thread: LoopThread

    @property
    def _engine(self) -> Engine:
        return cast("Engine", self)

    def _audit(self, event: str, details: dict[str, Any]) -> AuditRow:
        """An audit row about the engine rather than one instance (``instance_id`` null)."""
        clock = self._core.clock
        return AuditRow(clock.uuid(), None, self._core.tenant_id, event, None, None, None,
                        details, clock.now_ms())  # fmt: skip

    # -- the dead-letter queue and running again -------------------------------------------------

    def dlq(self, *, limit: int = 100, offset: int = 0) -> list[Instance]:
        """Failed instances, newest first (``inst.error`` says why)."""
        core = self._core
        rows = self._thread.call(dlq.failed_rows(core.storage, core.tenant_id, limit, offset))
        return [Instance(self._engine, r.id) for r in rows]

    def dlq_groups(self) -> list[dict[str, Any]]:
        """Failed instances grouped by how they failed (fingerprint, count, block, handler,
        error kind and code, masked message, instance ids), biggest group first."""
        core = self._core
        return self._thread.call(dlq.groups(core.storage, core.catalog, core.tenant_id))

    def retry_group(self, fingerprint: str, *, sample: bool = False) -> list[Instance]:
        """Retry the failed instances of one DLQ group; with ``sample`` only the newest, to
        check a fix before retrying the rest."""
        found = [g for g in self.dlq_groups() if g["fingerprint"] == fingerprint]
        if not found:
            raise NotFoundError(f"no failed instances have fingerprint {fingerprint!r}")
        ids = found[0]["instance_ids"][:1] if sample else found[0]["instance_ids"]
        for iid in ids:
            self._thread.call(self._core.rerun.retry(iid))
        return [Instance(self._engine, iid) for iid in ids]

    # -- moving instances to another version -----------------------------------------------------

    def plan_migration(
        self,
        instances: Iterable[Instance | str] | None,
        target: SequenceDefinition | str,
        *,
        transform: Sequence[Mapping[str, Any]] | None = None,
    ) -> MigrationPlan:
        """Preview moving ``instances`` (``None``: every unfinished instance on another
        version of the target's sequence) to version ``target``; changes nothing.

        ``transform`` reshapes ``context.data`` on the way: ``[{"op": "copy"|"move",
        "from": "a.b", "to": "c"}, {"op": "drop", "path": "x"}]``. Call ``.apply()`` on
        the plan to move the instances that can move.
        """
        core = self._core
        resolved = self._thread.call(core.catalog.resolve(target))
        ids = (
            self._thread.call(core.migrator.candidates(resolved)) if instances is None
            else [i.id if isinstance(i, Instance) else i for i in instances]
        )  # fmt: skip
        _, items = self._thread.call(core.migrator.plan(ids, resolved.definition, transform))
        return MigrationPlan(self._engine, resolved.definition, items, transform)

    def migrate_instance(
        self, instance: Instance | str, target: SequenceDefinition | str
    ) -> dict[str, Any]:
        """Orch8's plain rebind: point the instance at version ``target`` (every block of its
        tree must exist there); for structural changes use :meth:`plan_migration`."""
        iid = instance.id if isinstance(instance, Instance) else instance
        return self._thread.call(self._core.migrator.rebind(iid, target))

    # -- timers ----------------------------------------------------------------------------------

    def reschedule_instances(
        self,
        offset: Any,
        *,
        sequence: SequenceDefinition | str | None = None,
        limit: int = 10_000,
    ) -> int:
        """Move the timers of scheduled instances (of ``sequence``, a version or its id) by
        ``offset`` (ms, a ``timedelta`` or ``"1h"``; negative brings them forward); one
        due now counts from now. Paused, waiting and running instances keep theirs.
        Returns how many moved (each audited ``rescheduled``)."""
        offset_ms = signed_ms(offset)
        seq_id = str(sequence.id) if isinstance(sequence, SequenceDefinition) else sequence
        if seq_id is not None:
            self._engine.get_sequence(seq_id)  # NotFoundError for an unknown version
        return self._thread.call(self._core.edits.shift_timers(offset_ms, seq_id, limit))

    # -- sessions --------------------------------------------------------------------------------

    def create_session(
        self, key: str, data: Mapping[str, Any] | None = None, *, expires_at: int | None = None
    ) -> Session:
        """A new session under ``key`` (unique per tenant) with shared ``data``."""
        row = self._thread.call(self._core.records.create_session(key, data, expires_at))
        return Session(self._engine, row.id)

    def session(self, key: str) -> Session:
        """The session with ``key`` (``NotFoundError`` if there is none)."""
        return Session(self._engine, self._thread.call(self._core.records.session_by_key(key)).id)

    def sessions(self, *, limit: int = 100, offset: int = 0) -> list[Session]:
        """Sessions, newest first."""
        rows = self._thread.call(self._core.records.sessions(limit, offset))
        return [Session(self._engine, r.id) for r in rows]

    # -- circuit breakers ------------------------------------------------------------------------

    def circuit_breakers(self) -> list[dict[str, Any]]:
        """Breakers of handlers that failed or were probed: handler, state (``closed``,
        ``open``, ``half_open``), failures in a row, ``opened_at``, ``open_until``, trips."""
        return self._core.services.breakers.states()

    def reset_circuit_breaker(self, handler: str) -> None:
        """Close ``handler``'s breaker now (after fixing the dependency by hand)."""
        self._core.services.breakers.reset(handler)
        audit = self._audit("breaker_reset", {"handler": handler})
        self._thread.call(self._core.storage.append_audit([audit]))

    # -- rate limits -----------------------------------------------------------------------------

    def set_rate_limit(self, key: str, max_count: int, window: Any) -> None:
        """Allow at most ``max_count`` calls of steps with ``rate_limit_key: key`` per
        ``window`` (``"1m"``, milliseconds, a ``timedelta``); shared by every engine on the
        database. Changing a limit starts a fresh window."""
        problems = []
        if not isinstance(key, str) or not key:
            problems.append(Problem("key", "must be a non-empty string"))
        if isinstance(max_count, bool) or not isinstance(max_count, int) or max_count < 1:
            problems.append(Problem("max_count", "must be an integer >= 1"))
        try:
            window_ms = parse_duration_ms(window)
        except (TypeError, ValueError) as exc:
            problems.append(Problem("window", str(exc)))
            window_ms = 0
        if not problems and window_ms <= 0:
            problems.append(Problem("window", "must be longer than 0 ms"))
        if problems:
            raise InputValidationError(problems, what="rate limit")
        core = self._core
        now = core.clock.now_ms()
        details = {"key": key, "max_count": max_count, "window_ms": window_ms}
        audit = self._audit("rate_limit_set", details)
        self._thread.call(
            core.storage.set_rate_limit(core.tenant_id, key, max_count, window_ms, now, [audit])
        )

    def rate_limits(self) -> list[dict[str, Any]]:
        """``{resource_key, max_count, window_ms, window_start, used}`` per limit."""
        return self._thread.call(self._core.storage.list_rate_limits(self._core.tenant_id))

    def delete_rate_limit(self, key: str) -> bool:
        """Remove a limit (its key becomes unlimited); False if there was none."""
        audit = self._audit("rate_limit_deleted", {"key": key})
        core = self._core
        return self._thread.call(core.storage.delete_rate_limit(core.tenant_id, key, [audit]))
