"""Following one instance for a widget: its full live view, then only what changed.

The engine's events say *that* something changed (a node id, a state), not how the view
looks now, so each update re-reads the instance through the sync facade (a few indexed
queries) and compares it with the view the front end last received.

A step's handler runs before anything about it commits, so the stored node still says
``pending``; the ``step_started`` event tells this view it runs. Text a model streams
meanwhile (``llm_delta`` events) is not stored anywhere either: it is kept here, per
step, and shown on the running node (``stream``: the latest text; ``turn``: an agent's
turn) until the step's result commits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from orch8_nb.engine.events import Event
from orch8_nb.engine.instance import TERMINAL
from orch8_nb.render.views import instance_view, read_instance
from orch8_nb.widgets.throttle import Patch, PatchThrottle

if TYPE_CHECKING:
    from orch8_nb.engine.instance import Instance


#: Events about a running step that no commit records (and ``output``, which ends one).
STREAM_EVENTS = frozenset({"step_started", "llm_delta", "agent_turn", "output"})
#: Characters of streamed text a node view carries (the end of it).
STREAM_TAIL = 160


class LiveInstance:
    """Builds the live view of ``instance`` and the patches that keep a copy current."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self._known: dict[str, Any] | None = None
        self._lock = threading.Lock()
        #: block id -> (which call streams: ``call``, ``turn 2``..., its text so far), for
        #: every step whose handler runs now.
        self._streams: dict[str, tuple[str, str]] = {}

    def on_stream(self, event: Event) -> None:
        """Follow a running step: started, streamed text (``llm_delta``), the next agent
        turn (``agent_turn``), its result (``output``: not running any more)."""
        block = str(event.data.get("block_id", ""))
        with self._lock:
            if event.kind == "output":
                self._streams.pop(block, None)
                return
            if event.kind == "step_started":
                self._streams[block] = ("", "")
                return
            if event.kind == "agent_turn":
                self._streams[block] = (f"turn {int(event.data.get('turn', 0)) + 1}", "")
                return
            purpose, text = self._streams.get(block, ("", ""))
            now = str(event.data.get("purpose", ""))
            text = (text if now == purpose else "") + str(event.data.get("text", ""))
            self._streams[block] = (now, text[-4 * STREAM_TAIL :])

    def snapshot(self) -> dict[str, Any]:
        """The full live InstanceView; later patches are relative to it."""
        view = self._read()
        with self._lock:
            self._known = view
        return view

    def changes(self) -> tuple[Patch | None, dict[str, Any] | None]:
        """``(patch, None)`` with what changed since the last snapshot or patch, or
        ``(None, view)`` when the sequence itself changed (blocks injected, migrated to
        another version): a patch cannot say that, the receiver needs the whole view."""
        view = self._read()
        with self._lock:
            known, self._known = self._known, view
        if known is None or known["sequence"] != view["sequence"]:
            return None, view
        nodes = {k: v for k, v in view["nodes"].items() if known["nodes"].get(k) != v}
        summary = {k: v for k, v in view["instance"].items() if known["instance"].get(k) != v}
        return {"instance": summary, "nodes": nodes}, None

    def _read(self) -> dict[str, Any]:
        engine = self.instance._engine._live()
        view = instance_view(read_instance(engine, self.instance.id), live=True)
        with self._lock:
            for block, (purpose, text) in list(self._streams.items()):
                node = view["nodes"].get(block)
                if node is None or node["state"] not in ("pending", "running"):
                    del self._streams[block]  # its result committed: the output has it
                    continue
                node["state"] = "running"
                if text:
                    node["stream"] = text[-STREAM_TAIL:]
                if purpose.startswith("turn ") and purpose[5:].isdigit():
                    node["turn"] = int(purpose[5:])
        return view


class Follower:
    """Subscribes to the engine's events of one instance and turns them into throttled
    ``patch`` messages (or a full view when a patch cannot say what changed).

    ``on_view`` receives full views, ``on_patch`` patches; both run on the flush thread.
    """

    def __init__(
        self,
        instance: Instance,
        on_patch: Callable[[Patch], None],
        on_view: Callable[[dict[str, Any]], None],
        *,
        interval: float,
    ) -> None:
        self.live = LiveInstance(instance)
        self._on_view = on_view
        self.throttle = PatchThrottle(on_patch, collect=self._collect, interval=interval)
        self.bus = instance._engine._live().aio.bus
        # Subscribe before the first read, so no change can fall between the two.
        self._unsubscribe = self.bus.subscribe(self._on_event, instance.id)
        try:
            self.view = self.live.snapshot()
        except BaseException:
            self.close()
            raise

    def refresh(self) -> dict[str, Any]:
        """A fresh full view (pending patches dropped: the view already holds them)."""
        with self.throttle.exclusive():
            self.throttle.discard()
            self.view = self.live.snapshot()
            return self.view

    def close(self) -> None:
        self._unsubscribe()
        self.throttle.close()

    def _on_event(self, event: Event) -> None:
        # On the engine loop: only arm the throttle.
        if event.kind in STREAM_EVENTS:
            self.live.on_stream(event)
        final = event.kind == "instance" and event.data.get("state") in TERMINAL
        self.throttle.push(final=final)

    def _collect(self) -> Patch | None:
        patch, view = self.live.changes()
        if view is not None:
            self.view = view
            self._on_view(view)
        return patch
