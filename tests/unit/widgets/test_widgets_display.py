"""What displaying an instance puts in a notebook: static parts that repeat byte for byte,
and in a kernel the live tree beside them."""

from __future__ import annotations

import json
import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orch8_nb import VirtualClock, dsl
from orch8_nb.engine import Engine, instance
from orch8_nb.render.views import INSTANCE_MIME
from orch8_nb.widgets import ExecutionTree
from orch8_nb.widgets._base import WIDGET_VIEW_MIME
from orch8_nb.widgets.tree import _SHOWN as shown

SEQ = dsl.sequence(
    "shown",
    dsl.step("a", "noop"),
    dsl.parallel("p", [dsl.step("b", "noop")], [dsl.step("c", "noop")]),
    dsl.step("gate", "noop", wait_for_input=dsl.human_input("Ship?")),
)
STATIC = {"text/plain", "text/html", INSTANCE_MIME}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def in_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instance, "_live_display", lambda: True)


def test_outside_a_kernel_the_bundle_is_static_and_repeats(
    make_engine: Callable[..., Engine],
) -> None:
    bundles = []
    for start in (1_700_000_000_000, 1_800_000_000_000):  # two runs, different times and ids
        engine = make_engine("sqlite://:memory:", clock=VirtualClock(start), autostart=False)
        inst = engine.create_instance(SEQ)
        engine.run_until_idle()
        bundle = inst._repr_mimebundle_()
        assert set(bundle) == STATIC
        assert bundle == inst._repr_mimebundle_()
        bundles.append(bundle)
    assert bundles[0] == bundles[1]
    text = json.dumps(bundles[0], ensure_ascii=False)
    assert not UUID.search(text) and "1700000000" not in text and "duration_ms" not in text
    assert bundles[0][INSTANCE_MIME]["instance"] == {
        "state": "waiting", "sequence_name": "shown", "version": 1, "error": None
    }  # fmt: skip
    assert inst._repr_mimebundle_(include=["text/plain"]) == {
        "text/plain": bundles[0]["text/plain"]
    }


def test_in_a_kernel_the_live_tree_joins_the_static_parts(eng: Engine, in_kernel: None) -> None:
    inst = eng.create_instance(SEQ)
    bundle = inst._repr_mimebundle_()
    assert set(bundle) == STATIC | {WIDGET_VIEW_MIME}
    model_id = bundle[WIDGET_VIEW_MIME]["model_id"]
    tree = shown[inst.id]
    assert tree.model_id == model_id and tree.instance == inst
    eng.run_until_idle()
    again = inst._repr_mimebundle_()  # a second display shows the same, refreshed widget
    assert again[WIDGET_VIEW_MIME]["model_id"] == model_id
    assert tree.view["instance"]["state"] == "waiting"
    tree.close()
    assert inst._repr_mimebundle_()[WIDGET_VIEW_MIME]["model_id"] != model_id


def test_without_the_front_end_the_static_parts_stand_alone(
    eng: Engine, in_kernel: None, fake_bundle: Path
) -> None:
    (fake_bundle / "widgets.css").unlink()
    assert set(eng.create_instance(SEQ)._repr_mimebundle_()) == STATIC


def test_the_tree_widget_s_own_display(eng: Engine) -> None:
    inst = eng.create_instance(SEQ)
    tree = ExecutionTree(inst)
    data, _ = tree._repr_mimebundle_()
    assert set(data) == STATIC | {WIDGET_VIEW_MIME}
    assert {k: v for k, v in data.items() if k != WIDGET_VIEW_MIME} == inst._repr_mimebundle_()


def test_watch_shows_the_instance_then_updates_the_output_to_the_end(
    make_engine: Callable[..., Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    import IPython.display

    engine = make_engine("sqlite://:memory:")
    calls: list[tuple[str, str]] = []

    class Handle:
        def update(self, obj: Any) -> None:
            calls.append(("update", obj._repr_mimebundle_()["text/plain"]))

    def display(obj: Any, display_id: bool = False) -> Handle:
        assert display_id is True
        calls.append(("display", obj._repr_mimebundle_()["text/plain"]))
        return Handle()

    monkeypatch.setattr(IPython.display, "display", display)
    inst = engine.create_instance(dsl.sequence("watched", dsl.step("a", "noop")))
    inst.watch(timeout=10)
    assert inst.state == "completed"
    assert [kind for kind, _ in calls] == ["display", "update"]
    assert calls[-1][1] == inst._repr_mimebundle_()["text/plain"]
    assert "✓ completed" in calls[-1][1].splitlines()[0]


def test_a_repr_never_raises(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine("sqlite://:memory:")
    inst = engine.create_instance(SEQ)
    engine.shutdown()
    bundle = inst._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and "has been shut down" in bundle["text/plain"]


def test_live_display_needs_a_kernel_and_can_be_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = types.ModuleType("IPython")
    shell = types.SimpleNamespace(kernel=object())
    fake.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake)
    monkeypatch.delenv(instance.LIVE_DISPLAY_ENV, raising=False)
    assert instance._live_display() is True
    for off in ("0", "false", "Off", "no"):
        monkeypatch.setenv(instance.LIVE_DISPLAY_ENV, off)
        assert instance._live_display() is False
    monkeypatch.setenv(instance.LIVE_DISPLAY_ENV, "1")
    shell.kernel = None  # a terminal IPython: no comms
    assert instance._live_display() is False
    monkeypatch.setitem(sys.modules, "IPython", None)
    assert instance._live_display() is False
