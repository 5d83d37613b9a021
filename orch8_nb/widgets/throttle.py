"""A coalescing throttle for live updates: many engine events, a few messages.

Engine events arrive on the engine loop, which must never wait for a database read or a
comm send, so ``push`` only records and arms a timer; the flush runs on a
``threading.Timer`` thread. Updates go out at most once per ``interval`` (about 10 a
second), each carrying everything that piled up: node patches merge per block id (a
NodeView is the node's whole state, so the newest wins) and instance fields merge by key.
A terminal instance state skips the wait so the last picture arrives at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from orch8_nb.engine.clock import perf_counter
from orch8_nb.engine.loopthread import EngineStopped

log = logging.getLogger("orch8_nb.widgets")

#: Seconds between two flushes (about 10 updates a second, DESIGN.md section 5).
INTERVAL = 0.1

Patch = dict[str, Any]
"""``{"instance": {...}, "nodes": {"<block_id>": NodeView}}``, both optional."""


def merge_patch(into: Patch, patch: Mapping[str, Any] | None) -> Patch:
    """Fold ``patch`` into ``into`` (in place): nodes replaced per block id, instance keys
    updated; returns ``into``."""
    if patch:
        into.setdefault("instance", {}).update(patch.get("instance") or {})
        into.setdefault("nodes", {}).update(patch.get("nodes") or {})
    return into


def is_empty(patch: Mapping[str, Any]) -> bool:
    return not patch.get("instance") and not patch.get("nodes")


class PatchThrottle:
    """Coalesces patches and hands them to ``send`` at most once per ``interval``.

    ``collect``, if given, runs at flush time (on the flush thread) and returns what
    changed since the last flush: the usual way to turn "something happened" pokes into
    one fresh read. ``send`` is not called for an empty patch.
    """

    def __init__(
        self,
        send: Callable[[Patch], None],
        *,
        collect: Callable[[], Patch | None] | None = None,
        interval: float = INTERVAL,
    ) -> None:
        self._send = send
        self._collect = collect
        self._interval = interval
        self._lock = threading.Lock()  # guards the fields below
        self._flushing = threading.RLock()  # one flush at a time, in order
        self._pending: Patch = {}
        self._timer: threading.Timer | None = None
        self._due: float | None = None
        self._closed = False

    def push(self, patch: Mapping[str, Any] | None = None, *, final: bool = False) -> None:
        """Record ``patch`` (or just "something changed") and make sure a flush is coming:
        within ``interval``, or at once when ``final``. Never blocks: safe on the loop."""
        with self._lock:
            if self._closed:
                return
            merge_patch(self._pending, patch)
            due = perf_counter() + (0.0 if final else self._interval)
            if self._timer is not None and self._due is not None and self._due <= due:
                return  # a flush is already coming soon enough
            if self._timer is not None:
                self._timer.cancel()
            self._due = due
            self._timer = threading.Timer(max(due - perf_counter(), 0.0), self._on_timer)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        """Collect and send what is pending now, on the calling thread."""
        with self._flushing:
            with self._lock:
                if self._timer is not None:
                    self._timer.cancel()
                self._timer = self._due = None
                patch, self._pending = self._pending, {}
            if self._collect is not None:
                merge_patch(patch, self._collect())
            if not is_empty(patch):
                self._send(patch)

    def discard(self) -> None:
        """Forget what is pending (after the receiver got a full picture instead)."""
        with self._lock:
            self._pending = {}

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold off flushes, e.g. while replacing the receiver's full picture."""
        with self._flushing:
            yield

    def close(self) -> None:
        """Stop: cancel a coming flush and ignore later pushes."""
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self._due = None
            self._pending = {}

    def _on_timer(self) -> None:
        with self._lock:
            if self._closed:
                return
        try:
            self.flush()
        except EngineStopped:
            self.close()  # the engine shut down while an update was due: nothing to show
        except Exception:  # a background thread has nobody to raise to
            log.exception("a live widget update failed")


class Debounce:
    """Runs ``action`` on a timer thread at most once per ``interval`` after pokes.

    For updates that are a full refresh rather than a patch (the instances table's rows).
    """

    def __init__(self, action: Callable[[], None], *, interval: float = INTERVAL) -> None:
        self._throttle = PatchThrottle(lambda _patch: None, collect=self._run, interval=interval)
        self._action = action

    def poke(self, *, now: bool = False) -> None:
        self._throttle.push(final=now)

    def close(self) -> None:
        self._throttle.close()

    def _run(self) -> None:
        self._action()
