"""``ExecutionTree``: one instance drawn live, with its inspector and controls.

The widget holds the full view in the ``view`` trait and streams ``patch`` messages as the
engine reports changes (throttled, from a timer thread, so they flow while a cell blocks).
Displaying an ``Instance`` in a kernel shows one of these; the static text, HTML and
InstanceView travel in the same bundle for saved notebooks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import traitlets

from orch8_nb.render.controls import control
from orch8_nb.render.inspection import inspection
from orch8_nb.render.views import instance_bundle, read_instance
from orch8_nb.widgets._base import WIDGET_VIEW_MIME, FrontEndMissingError, Orch8Widget
from orch8_nb.widgets._live import Follower
from orch8_nb.widgets.throttle import INTERVAL, Patch

if TYPE_CHECKING:
    from orch8_nb.engine.events import EventBus
    from orch8_nb.engine.instance import Instance

log = logging.getLogger("orch8_nb.widgets")


class ExecutionTree(Orch8Widget):
    """The live execution tree of ``instance``: states, attempts, inspector, controls.

    ``ExecutionTree(inst)`` (or just displaying ``inst`` in a notebook). Updates stop
    when the widget is closed.
    """

    _kind = traitlets.Unicode("tree").tag(sync=True)
    view = traitlets.Dict().tag(sync=True)
    """The full live InstanceView, reset on refresh; ``patch`` messages update it."""

    #: Seconds between two ``patch`` messages at most.
    patch_interval: ClassVar[float] = INTERVAL

    def __init__(self, instance: Instance, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.instance = instance
        try:
            self._follower = Follower(
                instance, self._send_patch, self._set_view, interval=self.patch_interval
            )
        except BaseException:
            self.close()  # ipywidgets keeps every open widget: do not leak a broken one
            raise
        self.view = self._follower.view

    def refresh(self) -> None:
        """Re-read the instance and send the full view."""
        self.view = self._follower.refresh()

    def close(self) -> None:
        follower = getattr(self, "_follower", None)  # None if __init__ failed half-way
        if follower is not None:
            follower.close()
            _forget(self)
        super().close()

    def static_bundle(self) -> dict[str, Any]:
        engine = self.instance._engine._live()
        return instance_bundle(read_instance(engine, self.instance.id))

    @property
    def follows(self) -> EventBus:
        """The event bus this tree listens to (a replaced engine means a new tree)."""
        return self._follower.bus

    # -- messages --------------------------------------------------------------------------------

    def _message_handlers(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        return message_handlers(self, lambda: (self.instance, self._follower), self.refresh)

    def _send_patch(self, patch: Patch) -> None:
        self.send_message({"type": "patch", **patch})
        if "state" in (patch.get("instance") or {}):  # not on every node: a state is news
            self.publish_static()

    def _set_view(self, view: dict[str, Any]) -> None:
        self.view = view
        self.publish_static()


def message_handlers(
    widget: Orch8Widget,
    target: Callable[[], tuple[Instance, Follower]],
    refresh: Callable[[], None],
) -> dict[str, Callable[[dict[str, Any]], None]]:
    """The tree's js -> py messages (``refresh``, ``inspect``, ``control``) for ``widget``,
    acting on the instance ``target()`` names (the instances table reuses them)."""

    def on_refresh(_content: dict[str, Any]) -> None:
        refresh()

    def on_inspect(content: dict[str, Any]) -> None:
        instance, _ = target()
        widget.send_message(inspection(instance, str(content.get("block_id", ""))))

    def on_control(content: dict[str, Any]) -> None:
        instance, follower = target()
        action, message = control(instance, content)
        widget.reply(action, True, message)
        follower.throttle.push()  # show the effect without waiting for the next event

    return {"refresh": on_refresh, "inspect": on_inspect, "control": on_control}


# -- what displaying an Instance shows ------------------------------------------------------------

_SHOWN: dict[str, ExecutionTree] = {}
_SHOWN_LOCK = threading.Lock()


def live_view_bundle(instance: Instance) -> dict[str, Any]:
    """The widget-view part of an instance's display: one live tree per instance, reused
    by later displays. Empty (the static parts stand alone) if no tree can be made."""
    try:
        tree = _shown_tree(instance)
    except FrontEndMissingError as exc:
        log.info("showing %s statically: %s", instance.id, exc)
        return {}
    return {WIDGET_VIEW_MIME: tree.widget_view()}


def _shown_tree(instance: Instance) -> ExecutionTree:
    bus = instance._engine._live().aio.bus
    with _SHOWN_LOCK:
        tree = _SHOWN.get(instance.id)
    if tree is not None and tree.comm is not None and tree.follows is bus:
        tree.refresh()
        return tree
    if tree is not None:
        tree.close()
    tree = ExecutionTree(instance)
    with _SHOWN_LOCK:
        _SHOWN[instance.id] = tree
    return tree


def _forget(tree: ExecutionTree) -> None:
    with _SHOWN_LOCK:
        if _SHOWN.get(tree.instance.id) is tree:
            del _SHOWN[tree.instance.id]
