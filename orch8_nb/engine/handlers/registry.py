"""Handler registry: name -> callable, sync or async; re-registering replaces."""

from __future__ import annotations

import difflib
import inspect
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from orch8_nb.engine.handlers.context import StepContext

HandlerFn = Callable[[StepContext], Any] | Callable[[StepContext], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Handler:
    name: str
    fn: HandlerFn
    is_async: bool
    builtin: bool = False
    #: First line of the docstring (shown by editors and listings).
    description: str = ""


class HandlerRegistry:
    """Maps handler names to Python callables. Thread-safe: cells register while it runs."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()

    def register(self, name: str, fn: HandlerFn, *, builtin: bool = False) -> Handler:
        if not isinstance(name, str) or not name.strip():
            raise ValueError("a handler name must be a non-empty string")
        if not callable(fn):
            raise TypeError(f"handler {name!r} must be callable, got {type(fn).__name__}")
        is_async = inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
            getattr(fn, "__call__", None)  # noqa: B004 - callable objects with async __call__
        )
        doc = (inspect.getdoc(fn) or "").split("\n", 1)[0]
        handler = Handler(name, fn, is_async, builtin, doc)
        with self._lock:
            self._handlers[name] = handler
        return handler

    def get(self, name: str) -> Handler | None:
        return self._handlers.get(name)

    def names(self) -> list[str]:
        return sorted(self._handlers)

    def copy_user_handlers(self, other: HandlerRegistry) -> None:
        """Take over ``other``'s non-built-in handlers (an engine replacing another)."""
        with other._lock:
            user = [h for h in other._handlers.values() if not h.builtin]
        with self._lock:
            for h in user:
                self._handlers[h.name] = h

    def suggest(self, name: str) -> str | None:
        close = difflib.get_close_matches(name, self.names(), n=1, cutoff=0.75)
        return close[0] if close else None
