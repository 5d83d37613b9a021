"""In-process event bus: committed changes, published after their transaction.

Widgets, SSE streams and ``Instance.wait`` listen here instead of polling the database.
Subscribers are called on the engine loop and must not block; a failing subscriber is
logged and skipped, never allowed to break the engine.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from orch8_nb.storage.rows import Changeset

log = logging.getLogger("orch8_nb.events")


@dataclass(frozen=True, slots=True)
class Event:
    #: ``instance`` (state change), ``node`` (node state), ``output`` (new output row);
    #: and, before any commit: ``step_started`` (a handler call begins), ``llm_delta``
    #: (streamed model text), ``agent_turn`` (an agent finished a turn).
    kind: str
    instance_id: str
    data: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._subs: list[tuple[str | None, Subscriber]] = []
        self._lock = threading.Lock()

    def subscribe(self, fn: Subscriber, instance_id: str | None = None) -> Callable[[], None]:
        """Receive events (of one instance, or all); returns an unsubscribe function."""
        entry = (instance_id, fn)
        with self._lock:
            self._subs.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subs:
                    self._subs.remove(entry)

        return unsubscribe

    @property
    def active(self) -> bool:
        return bool(self._subs)

    def publish(self, event: Event) -> None:
        if not self._subs:
            return
        for wanted, fn in list(self._subs):
            if wanted is None or wanted == event.instance_id:
                try:
                    fn(event)
                except Exception:
                    log.exception("event subscriber failed")


def publish_changeset(bus: EventBus, instance_id: str, cs: Changeset) -> None:
    """Announce what a committed changeset did (only if someone listens)."""
    if not bus.active:
        return
    for node in cs.nodes_update:
        bus.publish(Event("node", instance_id, {"node_id": node.node_id, "state": node.state}))
    for out in cs.outputs:
        bus.publish(Event("output", instance_id, {"block_id": out.block_id}))
    if "state" in cs.instance:
        bus.publish(Event("instance", instance_id, {"state": cs.instance["state"]}))
