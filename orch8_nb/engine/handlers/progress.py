"""What a long handler (an agent loop) needs beyond its params: durable progress, audit
rows, and live events.

A step's output commits once, at the end. A handler that makes several expensive calls
(model turns) saves its progress after each one with :meth:`StepProgress.save`: that
write commits at once, with the audit rows recorded so far, so a kernel killed mid-step
resumes from the last save instead of paying for the earlier calls again. The engine
deletes the saved progress when the step commits its result or fails for good; a retry
keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orch8_nb.engine.clock import Clock
    from orch8_nb.storage.base import Storage
    from orch8_nb.storage.rows import AuditRow

#: Instance KV key prefix of saved progress: ``_progress:<block id>`` (one node per block;
#: node ids are not stable across a crash, since a tree may not be committed yet).
PROGRESS_PREFIX = "_progress:"

#: Publishes one live event for the step (``kind``, data); never raises.
Emit = Callable[[str, dict[str, Any]], None]


@dataclass(slots=True)
class StepProgress:
    storage: Storage
    clock: Clock
    instance_id: str
    tenant_id: str
    block_id: str
    #: Audit rows recorded by the handler and not yet written.
    pending_audit: list[AuditRow] = field(default_factory=list)
    #: Set once there is saved progress (loaded or written): the engine deletes it when
    #: the step is over.
    saved: bool = False

    @property
    def key(self) -> str:
        return PROGRESS_PREFIX + self.block_id

    async def load(self) -> Any:
        """The value of the last :meth:`save` of this step (any attempt), or ``None``."""
        value = (await self.storage.get_kv(self.instance_id)).get(self.key)
        if value is not None:
            self.saved = True
        return value

    async def save(self, value: Any) -> None:
        """Commit ``value`` (JSON) now, with the audit rows recorded so far."""
        rows, self.pending_audit = self.pending_audit, []
        try:
            await self.storage.save_progress(
                self.instance_id, self.key, value, self.clock.now_ms(), rows
            )
        except BaseException:
            self.pending_audit = rows + self.pending_audit
            raise
        self.saved = True

    def audit(self, event_type: str, details: dict[str, Any]) -> None:
        """Record an audit row about this step; it is written with the next :meth:`save`
        or with the step's result, whichever comes first."""
        from orch8_nb.storage.rows import AuditRow

        self.pending_audit.append(
            AuditRow(
                self.clock.uuid(), self.instance_id, self.tenant_id, event_type, None, None,
                self.block_id, details, self.clock.now_ms(),
            )
        )  # fmt: skip
