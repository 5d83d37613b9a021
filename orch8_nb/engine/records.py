"""Checkpoints (snapshots an instance keeps) and sessions (instances grouped under a key
that share data), each change with its audit row in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from orch8_nb.engine.budgets import check_budget
from orch8_nb.engine.injection import SIGNAL as INJECT_SIGNAL
from orch8_nb.engine.injection import check_injection
from orch8_nb.engine.rerun import LoadRun
from orch8_nb.engine.services import Services
from orch8_nb.errors import InputValidationError, InvalidTransitionError, NotFoundError, Problem
from orch8_nb.model import MAX_CONTEXT_BYTES
from orch8_nb.storage.rows import AuditRow, CheckpointRow, InstanceFilter, SessionRow, SignalRow

SESSION_STATES = ("active", "paused", "completed", "expired")
UNFINISHED = ("scheduled", "running", "waiting", "paused")


def _json(value: Any, path: str) -> None:
    """Refuse what is not JSON, or bigger than the context cap."""
    try:
        size = len(json.dumps(value, allow_nan=False).encode())
    except (TypeError, ValueError) as exc:
        raise InputValidationError([Problem(path, f"is not JSON: {exc}")]) from exc
    if size > MAX_CONTEXT_BYTES:
        raise InputValidationError(
            [Problem(path, f"is {size} bytes; the limit is {MAX_CONTEXT_BYTES} bytes")]
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Records:
    def __init__(self, services: Services, tenant_id: str, load_run: LoadRun) -> None:
        self.s = services
        self.tenant_id = tenant_id
        self._load_run = load_run

    def _audit(self, instance_id: str | None, event: str, details: Any) -> AuditRow:
        clock = self.s.clock
        return AuditRow(
            clock.uuid(), instance_id, self.tenant_id, event, None, None, None, details,
            clock.now_ms(),
        )  # fmt: skip

    # -- budgets ---------------------------------------------------------------------------------

    async def set_budget(self, instance_id: str, budget: Mapping[str, Any] | None) -> None:
        """Replace the instance's budget (``None`` removes it); not while it runs."""
        limits = check_budget(budget)
        run = await self._load_run(instance_id)
        if run is None:
            raise NotFoundError(f"instance {instance_id} not found")
        if run.inst.state == "running":
            raise InvalidTransitionError(
                f"instance {instance_id} is running; pause it before changing its budget"
            )
        run.inst.budget = limits
        run.pending.instance["budget"] = limits
        for key in ("paused_reason", "budget_breach"):
            run.inst.metadata.pop(key, None)
        run.mark_metadata()
        run.audit("budget_changed", {"budget": limits})
        if not (await self.s.storage.commit(run.take_changeset())).ok:
            raise InvalidTransitionError(f"instance {instance_id} changed meanwhile; try again")

    # -- dynamic injection -----------------------------------------------------------------------

    async def inject_blocks(self, instance_id: str, blocks: list[Any], position: Any) -> str:
        """Check the injection against the instance now, then queue it (applied between
        steps by whoever runs the instance); returns the signal id."""
        run = await self._load_run(instance_id)
        if run is None:
            raise NotFoundError(f"instance {instance_id} not found")
        check_injection(run, blocks, position)
        body = {"blocks": blocks, "position": position}
        row = SignalRow(
            self.s.clock.uuid(), instance_id, INJECT_SIGNAL, body, self.s.clock.now_ms()
        )
        await self.s.storage.enqueue_signal(row)
        self.s.on_signal(instance_id, INJECT_SIGNAL)
        return row.id

    # -- checkpoints -----------------------------------------------------------------------------

    async def save_checkpoint(self, instance_id: str, data: Any) -> CheckpointRow:
        _json(data, "checkpoint_data")
        row = CheckpointRow(self.s.clock.uuid(), instance_id, data, self.s.clock.now_ms())
        audit = self._audit(instance_id, "checkpoint_saved", {"checkpoint_id": row.id})
        await self.s.storage.save_checkpoint(row, [audit])
        return row

    async def checkpoints(self, instance_id: str) -> list[CheckpointRow]:
        return await self.s.storage.list_checkpoints(instance_id)

    async def prune_checkpoints(self, instance_id: str, keep: int) -> int:
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
            raise InputValidationError([Problem("keep", "must be an integer >= 0")])
        audit = self._audit(instance_id, "checkpoints_pruned", {"keep": keep})
        return await self.s.storage.prune_checkpoints(instance_id, keep, [audit])

    # -- sessions --------------------------------------------------------------------------------

    async def create_session(
        self, key: str, data: Mapping[str, Any] | None, expires_at: int | None
    ) -> SessionRow:
        problems = []
        if not isinstance(key, str) or not key:
            problems.append(Problem("session_key", "must be a non-empty string"))
        if data is not None and not isinstance(data, Mapping):
            problems.append(Problem("data", "must be an object"))
        if expires_at is not None and not _is_int(expires_at):
            problems.append(Problem("expires_at", "must be epoch milliseconds"))
        if problems:
            raise InputValidationError(problems, what="session")
        _json(dict(data or {}), "data")
        now = self.s.clock.now_ms()
        row = SessionRow(
            self.s.clock.uuid(), self.tenant_id, key, dict(data or {}), "active", now, now,
            expires_at,
        )  # fmt: skip
        audit = self._audit(None, "session_created", {"session_id": row.id, "session_key": key})
        await self.s.storage.create_session(row, [audit])
        return row

    async def session(self, session_id: str) -> SessionRow:
        row = await self.s.storage.get_session(session_id)
        if row is None or row.tenant_id != self.tenant_id:
            raise NotFoundError(f"session {session_id} not found")
        return row

    async def session_by_key(self, key: str) -> SessionRow:
        row = await self.s.storage.find_session(self.tenant_id, key)
        if row is None:
            raise NotFoundError(f"no session has key {key!r}")
        return row

    async def sessions(self, limit: int, offset: int) -> list[SessionRow]:
        return await self.s.storage.list_sessions(self.tenant_id, limit, offset)

    async def update_session(
        self, session_id: str, *, data: Mapping[str, Any] | None = None, state: str | None = None
    ) -> SessionRow:
        """Merge ``data`` into the session's data (key by key) and/or set its ``state``."""
        row = await self.session(session_id)
        if state is not None and state not in SESSION_STATES:
            raise InputValidationError(
                [Problem("state", f"must be one of {', '.join(SESSION_STATES)}")], what="session"
            )
        if data is not None:
            if not isinstance(data, Mapping):
                raise InputValidationError([Problem("data", "must be an object")], what="session")
            row.data = {**row.data, **data}
            _json(row.data, "data")
        row.state = state or row.state
        row.updated_at = self.s.clock.now_ms()
        details = {"session_id": row.id, "state": row.state, "data_keys": sorted(data or {})}
        await self.s.storage.update_session(row, [self._audit(None, "session_updated", details)])
        return row

    async def session_instances(self, session_id: str) -> list[str]:
        flt = InstanceFilter(tenant_id=self.tenant_id, session_id=session_id)
        return [r.id for r in await self.s.storage.list_instances(flt, 100_000, 0)]

    async def unfinished_in_session(self, session_id: str) -> list[str]:
        flt = InstanceFilter(tenant_id=self.tenant_id, session_id=session_id, states=UNFINISHED)
        return [r.id for r in await self.s.storage.list_instances(flt, 100_000, 0)]
