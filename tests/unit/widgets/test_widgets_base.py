"""The shared widget base: the bundle, the traits every view reads, sending, displaying."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from widgetkit import Sent, js

from orch8_nb import dsl
from orch8_nb.engine import Engine
from orch8_nb.render.runs_html import timeline_svg
from orch8_nb.render.views import WIDGET_MIME
from orch8_nb.widgets import PROTOCOL, FrontEndMissingError, SequenceEditor, Timeline, _base

SEQ = dsl.sequence("s", dsl.step("a", "noop"))


def test_a_missing_bundle_names_the_fix(fake_bundle: Path) -> None:
    (fake_bundle / "widgets.js").unlink()
    with pytest.raises(FrontEndMissingError, match=r"run `make install` to build the front end"):
        SequenceEditor(SEQ)
    with pytest.raises(FrontEndMissingError, match=r"widgets\.js"):
        SEQ.edit()


def test_every_widget_carries_only_the_loader(fake_bundle: Path, eng: Engine) -> None:
    editor = SequenceEditor(SEQ)
    assert editor._esm == (fake_bundle / "loader.js").read_text()
    assert not hasattr(editor, "_css")  # the views' stylesheet travels with the views
    assert editor._protocol == PROTOCOL == 1
    timeline = Timeline(eng)
    assert (timeline._kind, timeline._esm) == ("timeline", editor._esm)
    # A rebuilt loader reaches the next widget.
    (fake_bundle / "loader.js").write_text("export default { render() { /* v2 */ } };\n")
    assert "v2" in SequenceEditor(SEQ)._esm


def test_the_loader_gets_the_views_as_binary_buffers(
    fake_bundle: Path, eng: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    widget = Timeline(eng)
    sent: list[tuple[dict[str, Any], Any]] = []
    monkeypatch.setattr(
        widget, "send", lambda content, buffers=None: sent.append((content, buffers))
    )
    js(widget, {"type": "bundle"})
    assert sent == [
        ({"type": "bundle"}, [(fake_bundle / "widgets.js").read_bytes(),
                              (fake_bundle / "widgets.css").read_bytes()]),
    ]  # fmt: skip
    # Files removed under a running kernel: the loader hears why instead of waiting.
    (fake_bundle / "widgets.js").unlink()
    js(widget, {"type": "bundle"})
    content, buffers = sent[-1]
    assert buffers is None and "widgets.js" in content["error"] and content["type"] == "bundle"


def test_send_message_is_serialised_and_quiet_after_close(
    eng: Engine, capture: Callable[[Any], Sent]
) -> None:
    widget = Timeline(eng)
    sent = capture(widget)
    threads = [
        threading.Thread(target=lambda i=i: widget.send_message({"type": "n", "i": i}))
        for i in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m["i"] for m in sent) == list(range(20))
    widget.close()
    widget.send_message({"type": "late"})
    assert len(sent) == 20


def test_the_display_is_deterministic_static_output_beside_the_widget_view(
    eng: Engine,
) -> None:
    widget = Timeline(eng)
    data, metadata = widget._repr_mimebundle_()
    static = {
        "text/plain": "Timeline: 0 attempts of 0 instances",
        "text/html": timeline_svg([]),
        WIDGET_MIME: {"protocol": PROTOCOL, "kind": "timeline"},
    }
    assert data == {
        **static,
        _base.WIDGET_VIEW_MIME: {"version_major": 2, "version_minor": 1,
                                 "model_id": widget.model_id},
    }  # fmt: skip
    assert metadata == {}
    assert widget._repr_mimebundle_(exclude=[_base.WIDGET_VIEW_MIME])[0] == static


def test_error_text_is_what_python_shows() -> None:
    assert _base.error_text(KeyError("step 'x' has no gate")) == "step 'x' has no gate"
    assert _base.error_text(ValueError("bad")) == "bad"
    assert _base.error_text(RuntimeError()) == "RuntimeError"
