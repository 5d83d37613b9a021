"""SequenceEditor: validation with Python's messages, register and run from the buttons."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from widgetkit import Sent, js

from orch8_nb import SequenceDefinition, SequenceValidationError, dsl, sequence_json_schema
from orch8_nb.engine import Engine
from orch8_nb.errors import Problem
from orch8_nb.render.views import sequence_bundle
from orch8_nb.widgets import SequenceEditor
from orch8_nb.widgets.editor import problem_view

SEQ = dsl.sequence(
    "orders",
    dsl.step("fetch", "noop"),
    dsl.parallel("fan", [dsl.step("left", "noop")], [dsl.step("right", "noop")]),
)


def test_the_editor_starts_from_the_sequence(eng: Engine) -> None:
    editor = SequenceEditor(SEQ, eng)
    assert editor._kind == "editor"
    assert editor.spec == SEQ.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert editor.errors == []
    assert editor.handlers == sorted(eng.handlers) and "noop" in editor.handlers
    assert editor.block_schema == sequence_json_schema()
    assert editor.status is None
    assert editor.sequence == SEQ
    assert SEQ.edit(eng).spec == editor.spec


def test_a_bad_edit_reports_python_s_errors_and_keeps_the_last_valid_sequence(
    eng: Engine,
) -> None:
    editor = SequenceEditor(SEQ, eng)
    spec = copy.deepcopy(editor.spec)
    spec["blocks"][1]["branches"][1][0]["handler"] = ""
    spec["blocks"][0]["retry"] = {"max_attempts": 0, "initial_backoff": 10, "max_backoff": 20}
    editor.spec = copy.deepcopy(spec)  # a new value, as the front end's sync gives
    with pytest.raises(SequenceValidationError) as raised:
        SequenceDefinition.from_json(spec)
    assert [e["message"] for e in editor.errors] == [p.message for p in raised.value.problems]
    assert editor.errors == [
        {"path": ["blocks", 0, "retry", "max_attempts"], "block_id": "fetch",
         "message": "Input should be greater than 0"},
        {"path": ["blocks", 1, "branches", 1, 0, "handler"], "block_id": "right",
         "message": "must not be empty"},
    ]  # fmt: skip
    assert editor.sequence == SEQ

    spec["blocks"][0].pop("retry")
    spec["blocks"][1]["branches"][1][0]["handler"] = "noop"
    spec["blocks"].append({"type": "step", "id": "report", "handler": "noop"})
    editor.spec = copy.deepcopy(spec)
    assert editor.errors == []
    assert [b.id for b in editor.sequence.blocks] == ["fetch", "fan", "report"]


def test_problem_paths_and_their_blocks() -> None:
    act = {"type": "step", "id": "act", "handler": ""}
    saga = {"type": "saga", "id": "s", "steps": [{"id": "st", "action": act}]}
    spec = {"name": "x", "blocks": [{"type": "bogus", "id": "b"}, saga]}
    assert problem_view(Problem("blocks[0]", "unknown block type"), spec) == {
        "path": ["blocks", 0], "block_id": "b", "message": "unknown block type"
    }  # fmt: skip
    assert problem_view(Problem("blocks[1].steps[0].action.handler", "m"), spec)["block_id"] == (
        "act"
    )
    assert problem_view(Problem("blocks[1].steps[0].id", "m"), spec)["block_id"] == "s"
    assert problem_view(Problem("", "malformed"), spec) == {
        "path": [], "block_id": None, "message": "malformed"
    }  # fmt: skip
    assert problem_view(Problem("blocks[9].id", "m"), spec)["path"] == ["blocks", 9, "id"]


def test_register_creates_version_2_after_an_edit(eng: Engine) -> None:
    v1 = eng.upsert_sequence(SEQ)
    editor = SequenceEditor(v1, eng)
    js(editor, {"type": "register"})
    assert editor.status == {"action": "register", "ok": True, "message": "registered orders v1"}
    spec = copy.deepcopy(editor.spec)
    spec["blocks"].append({"type": "step", "id": "report", "handler": "noop"})
    editor.spec = spec
    js(editor, {"type": "register"})
    assert editor.status == {"action": "register", "ok": True, "message": "registered orders v2"}
    assert editor.sequence.version == 2
    assert editor.spec["version"] == 2 and editor.spec["id"] != str(v1.id)
    assert [s.version for s in eng.sequence_versions("orders")] == [1, 2]
    assert [b.id for b in eng.find_sequence("orders", 2).blocks][-1] == "report"


def test_run_registers_and_starts_an_instance(eng: Engine) -> None:
    editor = SequenceEditor(SEQ, eng)
    js(editor, {"type": "run", "input": {"n": 3}})
    inst = editor.last_instance
    assert inst is not None
    assert editor.status == {"action": "run", "ok": True,
                             "message": f"started instance {inst.id} of orders v1"}  # fmt: skip
    eng.run_until_idle()
    assert inst.state == "completed" and inst.data == {"n": 3}


def test_buttons_report_what_went_wrong(eng: Engine) -> None:
    editor = SequenceEditor(SEQ)
    js(editor, {"type": "run", "input": {}})
    assert editor.status == {
        "action": "run", "ok": False,
        "message": "this editor has no engine: create it with SequenceEditor(seq, engine) or "
        "seq.edit(engine)",
    }  # fmt: skip
    editor = SequenceEditor(SEQ, eng)
    editor.spec = {"name": "orders", "blocks": []}
    js(editor, {"type": "register"})
    assert editor.status == {
        "action": "register", "ok": False,
        "message": "invalid sequence (1 problem):\n  - blocks: must not be empty",
    }  # fmt: skip


def test_warnings_reach_the_status(eng: Engine) -> None:
    editor = SequenceEditor(dsl.sequence("w", dsl.step("a", "not_registered_anywhere")), eng)
    js(editor, {"type": "register"})
    status: dict[str, Any] = editor.status
    assert status["ok"] is True
    assert status["message"].startswith("registered w v1\n")
    assert "not_registered_anywhere" in status["message"]


def test_assigning_the_sequence_updates_the_spec(eng: Engine) -> None:
    editor = SequenceEditor(SEQ, eng)
    other = dsl.sequence("other", dsl.step("only", "noop"))
    editor.sequence = other
    assert editor.spec["name"] == "other" and editor.errors == []
    editor.sequence = {"name": "json", "blocks": [{"type": "step", "id": "j", "handler": "noop"}]}
    assert editor.sequence.name == "json"


def test_the_static_display_is_the_sequence_s(eng: Engine) -> None:
    editor = SequenceEditor(SEQ, eng)
    data, _ = editor._repr_mimebundle_()
    assert set(data) == {
        "text/plain", "text/html", "application/vnd.orch8.sequence+json",
        "application/vnd.jupyter.widget-view+json",
    }  # fmt: skip
    assert data["text/plain"] == str(SEQ)
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == editor.model_id


def test_each_valid_edit_sends_the_static_display_the_notebook_should_save(
    eng: Engine, capture: Callable[[Any], Sent]
) -> None:
    editor = SequenceEditor(SEQ, eng)
    sent = capture(editor)
    spec = copy.deepcopy(editor.spec)
    spec["blocks"].append({"type": "step", "id": "report", "handler": ""})
    editor.spec = copy.deepcopy(spec)  # invalid: the saved picture stays the last valid one
    assert sent.of("static") == []
    spec["blocks"][-1]["handler"] = "noop"
    editor.spec = copy.deepcopy(spec)
    (message,) = sent.of("static")
    assert message["bundle"] == sequence_bundle(editor.sequence)
    assert "report" in message["bundle"]["text/plain"]
