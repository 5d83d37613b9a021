"""InstancesTable: rows, filters, the selected instance's live tree, auto refresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from widgetkit import Sent, eventually, js

from orch8_nb import dsl
from orch8_nb.engine import Engine
from orch8_nb.widgets import InstancesTable

Capture = Callable[[Any], Sent]

OK = dsl.sequence("ok", dsl.step("a", "noop"))
BAD = dsl.sequence("bad", dsl.step("b", "fail_always"))
GATED = dsl.sequence("gated", dsl.step("g", "noop", wait_for_input=dsl.human_input("Go?")))


def _setup(eng: Engine) -> dict[str, Any]:
    @eng.handler("fail_always")
    def fail_always(ctx: Any) -> None:
        raise RuntimeError("always")

    made = {
        "ok1": eng.create_instance(OK),
        "bad": eng.create_instance(BAD),
        "gated": eng.create_instance(GATED),
        "ok2": eng.create_instance(OK),
    }
    eng.run_until_idle()
    return made


def test_rows_newest_first(eng: Engine) -> None:
    made = _setup(eng)
    table = InstancesTable(eng)
    assert table._kind == "table"
    assert [r["id"] for r in table.rows] == [made[k].id for k in ("ok2", "gated", "bad", "ok1")]
    row = table.rows[0]
    assert row == {
        "id": made["ok2"].id, "sequence_name": "ok", "version": 1, "state": "completed",
        "created_at": row["created_at"], "updated_at": row["updated_at"], "dlq": False,
    }  # fmt: skip
    assert isinstance(row["created_at"], int) and row["updated_at"] >= row["created_at"]
    assert [r["dlq"] for r in table.rows] == [False, False, True, False]
    assert table.filters == {"sequence": None, "state": None, "dlq": False}
    assert table.selected is None and table.tree is None
    assert table._repr_mimebundle_()[0]["text/plain"] == (
        "InstancesTable: 4 instances (2 completed, 1 failed, 1 waiting)"
    )


def test_filters_from_python_and_from_the_front_end(eng: Engine) -> None:
    made = _setup(eng)
    assert [r["id"] for r in InstancesTable(eng, sequence=OK).rows] == [
        made["ok2"].id, made["ok1"].id
    ]  # fmt: skip
    assert [r["id"] for r in InstancesTable(eng, state="waiting").rows] == [made["gated"].id]
    assert [r["id"] for r in InstancesTable(eng, dlq=True).rows] == [made["bad"].id]
    assert InstancesTable(eng, state="completed", dlq=True).rows == []
    assert InstancesTable(eng, sequence="no-such-sequence").rows == []

    table = InstancesTable(eng)
    table.filters = {"sequence": "ok", "state": "completed", "dlq": False}  # js -> py
    assert [r["id"] for r in table.rows] == [made["ok2"].id, made["ok1"].id]
    table.filters = {"sequence": None, "state": None, "dlq": True}
    assert [r["id"] for r in table.rows] == [made["bad"].id]


def test_selecting_an_instance_draws_it_and_patches_follow(eng: Engine, capture: Capture) -> None:
    made = _setup(eng)
    table = InstancesTable(eng)
    sent = capture(table)
    table.selected = made["gated"].id  # js -> py
    assert table.tree is not None
    assert table.tree["instance"]["id"] == made["gated"].id
    assert table.tree["nodes"] == {"g": {"state": "waiting", "waiting_for": "human input: Go?"}}
    drawn = table.tree
    made["gated"].approve("g")
    eng.run_until_idle()
    eventually(lambda: any(p["instance"].get("state") == "completed" for p in sent.of("patch")))
    patches = sent.of("patch")
    assert patches[-1]["nodes"] == {"g": {"state": "completed", "attempt": 1, "duration_ms": 0}}
    eventually(lambda: table.rows[1]["state"] == "completed")  # the rows refresh too
    assert table.tree is drawn  # patched, never reset (that would close its inspector)

    table.selected = None
    assert table.tree is None


def test_controls_and_inspect_act_on_the_selected_instance(eng: Engine, capture: Capture) -> None:
    made = _setup(eng)
    table = InstancesTable(eng)
    sent = capture(table)
    js(table, {"type": "control", "action": "pause"})
    assert sent[-1] == {"type": "result", "action": "pause", "ok": False,
                        "message": "no instance is selected"}  # fmt: skip
    table.selected = made["gated"].id
    js(table, {"type": "inspect", "block_id": "g"})
    assert sent[-1]["type"] == "inspection"
    assert sent[-1]["gate"] == {"prompt": "Go?", "choices": ["yes", "no"], "allow_comment": False}
    js(table, {"type": "control", "action": "approve", "block_id": "g", "value": "no"})
    assert sent[-1] == {"type": "result", "action": "approve", "ok": True,
                        "message": "answered g: no"}  # fmt: skip


def test_selecting_an_unknown_id_says_so(eng: Engine, capture: Capture) -> None:
    table = InstancesTable(eng)
    sent = capture(table)
    table.selected = "00000000-0000-0000-0000-000000000000"
    assert table.tree is None
    assert sent[-1]["type"] == "result" and sent[-1]["ok"] is False
    assert "not found" in sent[-1]["message"]


def test_new_runs_show_up_without_a_refresh(eng: Engine, capture: Capture) -> None:
    table = InstancesTable(eng)
    sent = capture(table)
    assert table.rows == []
    inst = eng.create_instance(OK)
    eng.run_until_idle()
    eventually(lambda: [r["id"] for r in table.rows] == [inst.id])
    eventually(lambda: table.rows[0]["state"] == "completed")
    # Each change of the rows also sends the static table the notebook should save.
    eventually(lambda: sent.of("static")[-1]["bundle"] == table.static_bundle())
    assert "✓ completed" in sent.of("static")[-1]["bundle"]["text/html"]


def test_refresh_message(eng: Engine) -> None:
    table = InstancesTable(eng)
    table._unsubscribe()  # no auto refresh: only the message can bring the news
    inst = eng.create_instance(OK)
    js(table, {"type": "refresh"})
    assert [r["id"] for r in table.rows] == [inst.id]
