"""Widgets without a browser: a stand-in bundle, a mock comm that records messages, and
real instances on a real engine with a virtual clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import ipywidgets
import pytest
from widgetkit import Sent

from orch8_nb.engine import Engine
from orch8_nb.widgets import _base, tree


@pytest.fixture(autouse=True)
def fake_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny loader.js, widgets.js and .css, so the tests never need the built front end."""
    static = tmp_path / "static"
    static.mkdir()
    (static / "loader.js").write_text("export default { render() {} };\n")
    (static / "widgets.js").write_text("export default { build: 'x', render() {} };\n")
    (static / "widgets.css").write_text(".orch8 {}\n")
    monkeypatch.setattr(_base, "STATIC", static)
    return static


@pytest.fixture(autouse=True)
def close_widgets(make_engine: Callable[..., Engine]) -> Iterator[None]:
    """Close every widget before the engines shut down (it depends on ``make_engine``, so
    its teardown runs first): no timer thread outlives its test."""
    yield
    ipywidgets.Widget.close_all()
    tree._SHOWN.clear()


@pytest.fixture
def eng(make_engine: Callable[..., Engine]) -> Engine:
    """An engine on a virtual clock that runs only when told (``run_until_idle``)."""
    return make_engine("sqlite://:memory:", autostart=False)


@pytest.fixture
def capture(monkeypatch: pytest.MonkeyPatch) -> Callable[[ipywidgets.Widget], Sent]:
    """``sent = capture(widget)``: record what the widget sends instead of sending it."""

    def attach(widget: ipywidgets.Widget) -> Sent:
        sent = Sent()
        monkeypatch.setattr(widget, "send", lambda content, buffers=None: sent.append(content))
        return sent

    return attach
