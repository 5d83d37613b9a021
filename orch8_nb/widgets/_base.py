"""The anywidget base every orch8-nb widget shares: one front end, one message door.

A widget's ``_esm`` is only the small loader (``static/loader.js``); the views
(``widgets.js`` + ``widgets.css``, 2 MB with React and elkjs) come from the JupyterLab
extension when the page has the same build, else from here in one ``bundle`` message per
page. So a notebook that saves widget state (nbclient does) does not carry 2 MB per widget.

The files are looked up when a widget is created, not at import: ``import orch8_nb`` must
work in a checkout whose front end is not built yet, and creating a widget there must say
how to fix it. Messages may be sent from any thread (the throttles flush from timer
threads while a cell blocks), so sending is serialised here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from orch8_nb.errors import Orch8Error
from orch8_nb.render.views import PROTOCOL, select_mimes

log = logging.getLogger("orch8_nb.widgets")

#: Where ``make install`` (``make js``) puts the front end; tests point it elsewhere.
STATIC = Path(__file__).parent / "static"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
_FILES = ("loader.js", "widgets.js", "widgets.css")

_CACHE: dict[tuple[Path, tuple[int, ...]], dict[str, bytes]] = {}
_CACHE_LOCK = threading.Lock()


class FrontEndMissingError(RuntimeError):
    """The widget front end is not built (a source checkout before ``make install``)."""


def front_end() -> dict[str, bytes]:
    """The built files by name (``loader.js``, ``widgets.js``, ``widgets.css``), or an
    error naming the fix. Kept in memory per file version, so a rebuild reaches the next
    widget."""
    paths = [STATIC / name for name in _FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FrontEndMissingError(
            f"the orch8-nb widget front end is not built ({', '.join(missing)} missing): "
            "run `make install` to build the front end"
        )
    key = (STATIC, tuple(p.stat().st_mtime_ns for p in paths))
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = _CACHE[key] = {p.name: p.read_bytes() for p in paths}
        return found


class Orch8Widget(anywidget.AnyWidget):
    """Base of the orch8-nb widgets: ``_kind`` picks the view inside the shared bundle."""

    _kind = traitlets.Unicode("").tag(sync=True)
    _protocol = traitlets.Int(PROTOCOL).tag(sync=True)

    # A property rather than a class attribute: anywidget reads a class-level path at
    # import time and fails if the file is missing; this is read at creation instead.
    @property
    def _esm(self) -> str:
        return front_end()["loader.js"].decode("utf-8")

    def __init__(self, **kwargs: Any) -> None:
        front_end()  # fail here, with the fix in the message, before a comm is opened
        self._send_lock = threading.Lock()
        super().__init__(**kwargs)
        self.on_msg(self._receive)

    # -- messages --------------------------------------------------------------------------------

    def send_message(self, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        """Send a custom message to the front end; safe from any thread, a no-op once closed."""
        with self._send_lock:
            if self.comm is not None:
                self.send(content, buffers)

    def publish_static(self) -> None:
        """Send the current ``static_bundle``: JupyterLab keeps it in the output, so the
        notebook saves what the widget shows now, not what it showed when displayed."""
        self.send_message({"type": "static", "bundle": self.static_bundle()})

    def reply(self, action: str, ok: bool, message: str) -> None:
        """Answer an action with a ``result`` message (success or the error's text)."""
        self.send_message({"type": "result", "action": action, "ok": ok, "message": message})

    def _receive(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            log.warning("ignoring a malformed widget message: %r", content)
            return
        if content["type"] == "bundle":  # the loader asks for the views (every widget)
            self._send_views()
            return
        handler = self._message_handlers().get(content["type"])
        if handler is None:
            log.warning("%s ignores messages of type %r", type(self).__name__, content["type"])
            return
        try:
            handler(content)
        except Exception as exc:  # nothing fails silently: the front end hears about it
            # A refused action is the user's business (they get the text); a bug is ours.
            expected = isinstance(exc, Orch8Error | ValueError | LookupError | RuntimeError)
            log.log(logging.DEBUG if expected else logging.ERROR, "handling %r failed",
                    content["type"], exc_info=True)  # fmt: skip
            self.reply(str(content.get("action") or content["type"]), False, error_text(exc))

    def _message_handlers(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        """Handlers by message ``type``; widgets that take messages override this."""
        return {}

    def _send_views(self) -> None:
        try:
            files = front_end()
        except FrontEndMissingError as exc:  # removed since the widget was made
            self.send_message({"type": "bundle", "error": str(exc)})
            return
        self.send_message({"type": "bundle"}, [files["widgets.js"], files["widgets.css"]])

    # -- display ---------------------------------------------------------------------------------

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **_: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The widget view plus static fallbacks (``static_bundle``) for saved notebooks."""
        data, metadata = self._anywidget_bundle()
        bundle = {**self.static_bundle(), WIDGET_VIEW_MIME: data[WIDGET_VIEW_MIME]}
        return select_mimes(bundle, include, exclude), metadata

    def widget_view(self) -> dict[str, Any]:
        """The ``application/vnd.jupyter.widget-view+json`` value that shows this widget."""
        view: dict[str, Any] = self._anywidget_bundle()[0][WIDGET_VIEW_MIME]
        return view

    def _anywidget_bundle(self) -> tuple[dict[str, Any], dict[str, Any]]:
        found = super()._repr_mimebundle_()
        assert found is not None, "an orch8-nb widget always has a view"
        return found

    def static_bundle(self) -> dict[str, Any]:
        """What shows without a live kernel: deterministic text (no ids, no addresses)."""
        return {"text/plain": f"{type(self).__name__}()"}


def error_text(exc: BaseException) -> str:
    """The error as users see it from Python (``KeyError`` without its repr quotes)."""
    if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc) or type(exc).__name__
