"""Helpers of the widget tests (messages in and out, waiting for timer threads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets

from orch8_nb.engine.clock import perf_counter, real_sleep


class Sent(list[dict[str, Any]]):
    """Custom messages a widget sent, in order."""

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self if m.get("type") == kind]


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``check`` until it holds (the flushes run on timer threads)."""
    deadline = perf_counter() + timeout
    while not check():
        if perf_counter() > deadline:
            raise AssertionError("condition not met in time")
        real_sleep(0.01)


def quiet_for(seconds: float) -> None:
    """Let timer threads run, to show that nothing more arrives."""
    real_sleep(seconds)


def js(widget: ipywidgets.Widget, content: dict[str, Any]) -> None:
    """Deliver a message from the front end, as the comm would."""
    widget._handle_custom_msg(content, [])
