"""``Timeline``: every handler attempt as a bar, one row per instance (a Gantt chart).

Bars come from the ``step_attempt`` audit rows, which the engine writes in the same
transaction as the attempt's outcome, so the chart shows exactly what was committed.
Starts are on the engine clock (virtual in tests); lengths are the measured handler time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import traitlets

from orch8_nb.engine.facade import Engine
from orch8_nb.engine.instance import Instance
from orch8_nb.model import AuditEntry
from orch8_nb.render.inspection import ATTEMPT_OUTCOMES
from orch8_nb.render.runs_html import timeline_svg
from orch8_nb.render.views import WIDGET_MIME, widget_marker
from orch8_nb.widgets._base import Orch8Widget


class Timeline(Orch8Widget):
    """Attempts of ``source``: an engine (its ``limit`` newest instances), one instance,
    or several. Call ``refresh()`` to redraw after more has run."""

    _kind = traitlets.Unicode("timeline").tag(sync=True)
    bars = traitlets.List(traitlets.Dict()).tag(sync=True)
    """``[{"instance", "block_id", "attempt", "start_ms", "end_ms", "outcome"}]``."""

    def __init__(
        self, source: Engine | Instance | Iterable[Instance], *, limit: int = 20, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.limit = limit
        self.refresh()

    def refresh(self) -> None:
        """Re-read the audit log of the instances."""
        self.bars = timeline_bars([(inst.id, inst.audit()) for inst in self._instances()])
        self.publish_static()

    def static_bundle(self) -> dict[str, Any]:
        count = len({bar["instance"] for bar in self.bars})
        return {
            "text/plain": f"Timeline: {len(self.bars)} attempts of {count} instances",
            "text/html": timeline_svg(self.bars),
            WIDGET_MIME: widget_marker("timeline"),
        }

    def _instances(self) -> list[Instance]:
        source = self.source
        if isinstance(source, Instance):
            return [source]
        if isinstance(source, Engine):
            return source.list_instances(limit=self.limit)
        return list(source)


def short_id(instance_id: str) -> str:
    """The tail of an id: UUIDv7 ids made close together share their head (a timestamp)."""
    return "…" + instance_id[-8:]


def timeline_bars(audits: Sequence[tuple[str, Sequence[AuditEntry]]]) -> list[dict[str, Any]]:
    """Bars for ``[(instance_id, its audit rows)]``, by start time, starts relative to the
    earliest bar."""
    found: list[dict[str, Any]] = []
    for instance_id, audit in audits:
        for entry in audit:
            details = entry.details if isinstance(entry.details, dict) else {}
            start = details.get("started_at")
            if entry.event_type != "step_attempt" or not isinstance(start, int | float):
                continue
            duration = details.get("duration_ms")
            outcome = str(details.get("outcome", ""))
            found.append(
                {
                    "instance": short_id(instance_id),
                    "block_id": entry.block_id,
                    "attempt": int(details.get("attempt", 0)) + 1,
                    "start_ms": start,
                    "end_ms": start + (duration if isinstance(duration, int | float) else 0),
                    "outcome": ATTEMPT_OUTCOMES.get(outcome, outcome),
                }
            )
    if not found:
        return []
    origin = min(bar["start_ms"] for bar in found)
    for bar in found:
        bar["start_ms"] -= origin
        bar["end_ms"] = round(bar["end_ms"] - origin, 3)
    found.sort(key=lambda bar: bar["start_ms"])  # stable: same start keeps audit order
    return found
