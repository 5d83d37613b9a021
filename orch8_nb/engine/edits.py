"""An operator's edits of stored instances that no runner holds: replacing the context and
moving timers. Each is a compare-and-swap on the instance with its audit row, so an edit
racing the scheduler (a claim, a worker's result) is refused or skipped, never lost."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from orch8_nb.engine.events import publish_changeset
from orch8_nb.engine.services import Services
from orch8_nb.errors import (
    ConflictError,
    InputValidationError,
    NotFoundError,
    PayloadTooLargeError,
    Problem,
)
from orch8_nb.model import MAX_CONTEXT_BYTES, ExecutionContext
from orch8_nb.model.durations import parse_duration_ms
from orch8_nb.model.limits import MAX_INT64
from orch8_nb.storage.rows import AuditRow, Changeset, InstanceFilter, InstanceRow

#: Context sections a replace writes, with the type each must have.
SECTIONS: dict[str, type] = {"data": dict, "config": dict, "audit": list}
#: Changesets submitted at once while moving timers (the backend groups their commits).
CHUNK = 256


class Edits:
    def __init__(self, services: Services, tenant_id: str) -> None:
        self.s = services
        self.tenant_id = tenant_id

    def _audit(self, row: InstanceRow, event: str, details: Any) -> AuditRow:
        clock = self.s.clock
        return AuditRow(clock.uuid(), row.id, self.tenant_id, event, None, None, None, details,
                        clock.now_ms())  # fmt: skip

    async def replace_context(self, instance_id: str, context: Mapping[str, Any]) -> None:
        """Replace ``data``, ``config`` and ``audit`` (a missing one becomes empty); the
        engine-owned ``runtime`` is kept. Refused while a step runs (``ConflictError``)."""
        sections = check_sections(context)
        row = await self.s.storage.get_instance(instance_id)
        if row is None or row.tenant_id != self.tenant_id:
            raise NotFoundError(f"instance {instance_id} not found")
        if row.state == "running":
            raise ConflictError(
                f"instance {instance_id} is running a step; pause it (or try again when it "
                "waits) before replacing its context"
            )
        size = ExecutionContext(**sections, runtime=row.context_runtime).size_bytes()
        if size > MAX_CONTEXT_BYTES:
            raise PayloadTooLargeError(
                [Problem("context", f"is {size} bytes; the limit is {MAX_CONTEXT_BYTES} bytes")],
                what="context",
            )
        details = {"sections": sorted(SECTIONS), "bytes": size,
                   "data_keys": sorted(sections["data"])}  # fmt: skip
        cs = Changeset(
            row.id, row.rev, self.s.clock.now_ms(), expect_state=row.state,
            instance={f"context_{name}": value for name, value in sections.items()},
            audit=[self._audit(row, "context_replaced", details)],
        )  # fmt: skip
        if not (await self.s.storage.commit(cs)).ok:
            raise ConflictError(f"instance {instance_id} changed meanwhile; try again")
        publish_changeset(self.s.bus, row.id, cs)

    async def shift_timers(
        self, offset_ms: int, sequence_id: str | None = None, limit: int = 10_000
    ) -> int:
        """Move ``next_fire_at`` of scheduled instances by ``offset_ms`` (an instance due
        now counts from now); returns how many moved. Instances claimed meanwhile are
        skipped."""
        flt = InstanceFilter(self.tenant_id, None, sequence_id, ("scheduled",))
        rows = await self.s.storage.list_instances(flt, limit, 0)
        now = self.s.clock.now_ms()
        moved: list[int] = []
        for start in range(0, len(rows), CHUNK):
            batch = [self._shift(row, offset_ms, now) for row in rows[start : start + CHUNK]]
            results = await asyncio.gather(*(self.s.storage.commit(cs) for _, cs in batch))
            moved += [fire for (fire, _), r in zip(batch, results, strict=True) if r.ok]
        if moved:
            self.s.on_reschedule(min(moved))
        return len(moved)

    def _shift(self, row: InstanceRow, offset_ms: int, now: int) -> tuple[int, Changeset]:
        before = row.next_fire_at
        fire = min(max((before if before is not None else now) + offset_ms, 0), MAX_INT64)
        details = {"offset_ms": offset_ms, "from": before, "to": fire}
        return fire, Changeset(row.id, row.rev, now, instance={"next_fire_at": fire},
                               expect_state="scheduled", check_signals=False,
                               audit=[self._audit(row, "rescheduled", details)])  # fmt: skip


def check_sections(context: Any) -> dict[str, Any]:
    """The sections a replace writes, each checked; ``runtime`` may be sent (a context read
    from the API and sent back) but is the engine's and is not written."""
    if not isinstance(context, Mapping):
        raise InputValidationError([Problem("context", "must be an object")], what="context")
    known = (*SECTIONS, "runtime")
    problems = [Problem(f"context.{key}", f"is not a context section ({', '.join(known)})")
                for key in context if key not in known]  # fmt: skip
    sections: dict[str, Any] = {}
    for name, kind in SECTIONS.items():
        value = context.get(name, kind())
        if not isinstance(value, kind):
            noun = "an object" if kind is dict else "an array"
            problems.append(Problem(f"context.{name}", f"must be {noun}"))
        sections[name] = value
    if problems:
        raise InputValidationError(problems, what="context")
    return sections


def signed_ms(offset: Any) -> int:
    """A duration that may be negative (ms, a ``timedelta``, ``"1h"``) as milliseconds."""
    try:
        if isinstance(offset, timedelta) and offset < timedelta(0):
            return -parse_duration_ms(-offset)
        if isinstance(offset, int | float) and not isinstance(offset, bool) and offset < 0:
            return -parse_duration_ms(-offset)
        if isinstance(offset, str) and offset.strip().startswith("-"):
            return -parse_duration_ms(offset.strip()[1:])
        return parse_duration_ms(offset)
    except (TypeError, ValueError) as exc:
        raise InputValidationError([Problem("offset", str(exc))], what="reschedule") from exc
