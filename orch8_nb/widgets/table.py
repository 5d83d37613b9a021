"""``InstancesTable``: the engine's instances, filterable, with the picked one drawn live.

Rows are re-read when an instance changes state (debounced, on a timer thread) or when
the front end changes ``filters``; the selected instance is followed like an
``ExecutionTree`` (full view in ``tree``, then ``patch`` messages).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import traitlets

from orch8_nb.engine.events import Event
from orch8_nb.engine.instance import Instance
from orch8_nb.model import SequenceDefinition
from orch8_nb.render.runs_html import instances_table_html
from orch8_nb.render.views import WIDGET_MIME, widget_marker
from orch8_nb.storage.rows import InstanceRow
from orch8_nb.widgets._base import Orch8Widget, error_text
from orch8_nb.widgets._live import Follower
from orch8_nb.widgets.throttle import INTERVAL, Debounce, Patch
from orch8_nb.widgets.tree import message_handlers

if TYPE_CHECKING:
    from orch8_nb.engine.facade import Engine

log = logging.getLogger("orch8_nb.widgets")


class InstancesTable(Orch8Widget):
    """Instances of ``engine``, newest first, optionally of one ``sequence`` (a name or a
    definition), one ``state``, or only the dead-letter queue (``dlq=True``: failed)."""

    _kind = traitlets.Unicode("table").tag(sync=True)
    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    """``[{"id", "sequence_name", "version", "state", "created_at", "updated_at", "dlq"}]``."""
    filters = traitlets.Dict().tag(sync=True)
    """``{"sequence": str | None, "state": str | None, "dlq": bool}`` (set by the front end)."""
    selected = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    """Id of the instance drawn below the table (set by the front end)."""
    tree = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    """Live InstanceView of the selected instance; ``patch`` messages update it."""

    #: Seconds between two refreshes of the rows, and between two tree patches, at most.
    refresh_interval: ClassVar[float] = INTERVAL

    def __init__(
        self,
        engine: Engine,
        sequence: SequenceDefinition | str | None = None,
        state: str | None = None,
        dlq: bool = False,
        *,
        limit: int = 100,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.engine = engine
        self.limit = limit
        self._names: dict[str, tuple[str, int | None]] = {}
        self._follower: Follower | None = None
        self._lock = threading.RLock()
        self._debounce = Debounce(self._refresh_rows, interval=self.refresh_interval)
        self._unsubscribe = engine.aio.bus.subscribe(self._on_event)
        name = sequence.name if isinstance(sequence, SequenceDefinition) else sequence
        try:
            self.filters = {"sequence": name, "state": state, "dlq": bool(dlq)}
            self.refresh()
        except BaseException:
            self.close()  # ipywidgets keeps every open widget: do not leak a broken one
            raise
        self.observe(lambda _change: self._refresh_rows(), names="filters")
        self.observe(self._on_selected, names="selected")

    def refresh(self) -> None:
        """Re-read the rows and the selected instance's full view."""
        with self._lock:
            self._refresh_rows()
            if self._follower is not None:
                self.tree = self._follower.refresh()

    def _refresh_rows(self) -> None:
        # Automatic refreshes stop here: a new `tree` value resets the front end's view of
        # it (its open inspector included), and patches already keep it current.
        with self._lock:
            rows = self._query()
            if rows != self.rows:
                self.rows = rows
                self.publish_static()

    def close(self) -> None:
        if hasattr(self, "_unsubscribe"):
            self._unsubscribe()
            self._debounce.close()
            self._follow(None)
        super().close()

    def static_bundle(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row["state"]] = counts.get(row["state"], 0) + 1
        found = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none"
        return {
            "text/plain": f"InstancesTable: {len(self.rows)} instances ({found})",
            "text/html": instances_table_html(self.rows),
            WIDGET_MIME: widget_marker("table"),
        }

    # -- rows ------------------------------------------------------------------------------------

    def _query(self) -> list[dict[str, Any]]:
        flt = self.filters
        states = [s for s in (flt.get("state"),) if isinstance(s, str) and s]
        if flt.get("dlq"):
            if states and states != ["failed"]:
                return []  # the DLQ holds failed instances only
            states = ["failed"]
        name = flt.get("sequence")
        seq_ids: list[str | None] = [None]
        if isinstance(name, str) and name:
            seq_ids = [str(s.id) for s in self.engine.sequence_versions(name)]
        found: list[InstanceRow] = []
        for seq_id in seq_ids:
            query = self.engine.aio.list_instance_rows(
                state=states, sequence_id=seq_id, limit=self.limit
            )
            found += self.engine._thread.call(query)
        found.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        return [self._row(r) for r in found[: self.limit]]

    def _row(self, row: InstanceRow) -> dict[str, Any]:
        name, version = self._sequence(row.sequence_id)
        return {
            "id": row.id,
            "sequence_name": name,
            "version": version,
            "state": str(row.state),
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "dlq": str(row.state) == "failed",
        }

    def _sequence(self, sequence_id: str) -> tuple[str, int | None]:
        if sequence_id not in self._names:  # versions never change: remember them
            seq = self.engine.get_sequence(sequence_id)
            self._names[sequence_id] = (seq.name, seq.version)
        return self._names[sequence_id]

    def _on_event(self, event: Event) -> None:
        # On the engine loop: only arm the debounce.
        if event.kind == "instance":
            self._debounce.poke()

    # -- the selected instance -------------------------------------------------------------------

    def _on_selected(self, change: dict[str, Any]) -> None:
        try:
            self._follow(change["new"])
        except Exception as exc:  # e.g. an id that is not an instance of this engine
            log.warning("cannot show instance %r: %s", change["new"], exc)
            self.reply("select", False, error_text(exc))

    def _follow(self, instance_id: str | None) -> None:
        with self._lock:
            if self._follower is not None:
                self._follower.close()
                self._follower = None
            self.set_trait("tree", None)
            if instance_id is None:
                return
            self._follower = Follower(
                Instance(self.engine, instance_id),
                self._send_patch,
                self._set_tree,
                interval=self.refresh_interval,
            )
            self.tree = self._follower.view

    def _send_patch(self, patch: Patch) -> None:
        self.send_message({"type": "patch", **patch})

    def _set_tree(self, view: dict[str, Any]) -> None:
        self.tree = view

    def _message_handlers(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        return message_handlers(self, self._target, self.refresh)

    def _target(self) -> tuple[Instance, Follower]:
        follower = self._follower
        if follower is None:
            raise RuntimeError("no instance is selected")
        return follower.live.instance, follower
