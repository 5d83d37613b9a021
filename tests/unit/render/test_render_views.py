"""Views (docs/ui-protocol.md) from known rows: exact NodeViews, static versus live."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from orch8_nb import dsl
from orch8_nb.model import BlockOutput, ExecutionNode, SequenceDefinition
from orch8_nb.render import instance_html, instance_text, sequence_html, sequence_text
from orch8_nb.render.views import (
    INSTANCE_MIME,
    PROTOCOL,
    SEQUENCE_MIME,
    InstanceData,
    instance_bundle,
    instance_view,
    select_mimes,
    sequence_bundle,
    sequence_view,
)
from orch8_nb.storage.rows import InstanceRow

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SEQ_ID = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
IID = "019b76da-a800-7000-8000-0000000000aa"

SEQ = dsl.sequence(
    "views",
    dsl.step("fetch", "http", retry=dsl.retry(max_attempts=3, initial_backoff=100)),
    dsl.loop("poll", "true", [dsl.step("check", "noop")], max_iterations=5),
    dsl.for_each("each", "data.xs", [dsl.step("work", "noop")], max_iterations=2),
    dsl.router(
        "route", [dsl.route("data.a", dsl.step("r0", "noop"))], default=[dsl.step("rd", "noop")]
    ),
    dsl.ab_split(
        "ab",
        dsl.variant("x", 1, dsl.step("vx", "noop")),
        dsl.variant("y", 1, dsl.step("vy", "noop")),
    ),
    dsl.step("gate", "noop", wait_for_input=dsl.human_input("Ship it?")),
    dsl.step("send", "send_email"),
    dsl.step("broken", "boom"),
    dsl.step("later", "noop"),
    id=SEQ_ID,
    version=3,
    created_at="2026-01-01T00:00:00Z",
)  # fmt: skip


def row(state: str, metadata: dict[str, Any] | None = None) -> InstanceRow:
    return InstanceRow(
        id=IID, sequence_id=SEQ_ID, tenant_id="default", namespace="default", state=state,
        next_fire_at=None, priority=1, timezone="UTC", metadata=metadata or {},
        context_data={}, context_config={}, context_audit=[], context_runtime={},
        concurrency_key=None, max_concurrency=None, idempotency_key=None, session_id=None,
        parent_instance_id=None, budget=None, created_at=0, updated_at=0,
    )  # fmt: skip


def node(block_id: str, state: str, ms: int | None = None) -> ExecutionNode:
    return ExecutionNode(
        id=f"n-{block_id}", instance_id=IID, block_id=block_id, block_type="step", state=state,
        started_at=T0, completed_at=None if ms is None else T0 + timedelta(milliseconds=ms),
    )  # fmt: skip


def out(block_id: str, output: Any, attempt: int = 0, ref: str | None = None) -> BlockOutput:
    return BlockOutput(id=f"o-{block_id}-{attempt}", instance_id=IID, block_id=block_id,
                       output=output, output_ref=ref, attempt=attempt, created_at=T0)  # fmt: skip


NODES = [
    node("fetch", "running"), node("poll", "running"), node("check", "completed", 5),
    node("each", "completed", 40), node("work", "completed", 2), node("route", "completed", 0),
    node("r0", "skipped"), node("rd", "completed", 1), node("ab", "completed", 3),
    node("vx", "skipped"), node("vy", "completed", 3), node("gate", "waiting"),
    node("send", "waiting"), node("broken", "failed", 7),
]  # fmt: skip
OUTPUTS = [
    out("fetch", {"_retry_marker": True, "error": {"message": "x"}}, 0, "__retry__"),
    out("check", {}), out("poll", {"_iterations": 1}), out("check", {}),
    out("poll", {"_iterations": 2}), out("check", {}),
    out("each", {"_index": 0, "_total": 3, "_item_var": "item"}), out("work", {}),
    out("each", {"_index": 1, "_total": 3, "_item_var": "item"}), out("work", {}),
    out("rd", {}), out("ab", {"variant": "y", "variant_index": 1}), out("vy", {}),
    out("broken", {"message": "KeyError: 'x'\ntraceback", "kind": "handler"}, 1, "__error__"),
]  # fmt: skip
METADATA = {"_route:route": 1, "_error": {"message": "KeyError: 'x'\nmore"}}


def data(state: str = "running") -> InstanceData:
    latest = {o.block_id: o.output for o in OUTPUTS if o.output_ref in (None, "__error__")}
    return InstanceData(row(state, METADATA), SEQ, NODES, OUTPUTS, latest)


EXPECTED_NODES: dict[str, dict[str, Any]] = {
    "fetch": {"state": "running", "attempt": 2, "max_attempts": 3},
    "poll": {"state": "running", "iteration": 3, "iterations": 5},
    "check": {"state": "completed", "attempt": 1},
    "each": {"state": "completed", "iteration": 2, "iterations": 2},
    "work": {"state": "completed", "attempt": 1},
    "route": {"state": "completed", "route": "default"},
    "r0": {"state": "skipped"},
    "rd": {"state": "completed", "attempt": 1},
    "ab": {"state": "completed", "variant": "y"},
    "vx": {"state": "skipped"},
    "vy": {"state": "completed", "attempt": 1},
    "gate": {"state": "waiting", "waiting_for": "human input: Ship it?"},
    "send": {"state": "waiting", "waiting_for": "worker: send_email"},
    "broken": {"state": "failed", "attempt": 2, "error": "KeyError: 'x'"},
    "later": {"state": "pending"},
}


def test_sequence_view_static_and_live() -> None:
    full = SEQ.model_dump(mode="json", by_alias=True, exclude_none=True)
    static = sequence_view(SEQ)
    assert static == {"protocol": PROTOCOL, "sequence": {
        k: v for k, v in full.items() if k not in ("id", "created_at")
    }}  # fmt: skip
    assert "id" not in static["sequence"] and static["sequence"]["version"] == 3
    assert sequence_view(SEQ, live=True) == {"protocol": 1, "sequence": full}
    assert SequenceDefinition.from_json(sequence_view(SEQ)["sequence"]).blocks == SEQ.blocks


def test_node_views_of_known_rows() -> None:
    view = instance_view(data())
    assert view["protocol"] == 1
    assert view["instance"] == {"state": "running", "sequence_name": "views", "version": 3,
                                "error": None}  # fmt: skip
    assert view["nodes"] == EXPECTED_NODES
    assert list(view["nodes"]) == [r.block.id for r in SEQ.iter_blocks()]


def test_the_live_view_adds_the_id_and_durations() -> None:
    live = instance_view(data(), live=True)
    assert live["instance"]["id"] == IID
    assert live["sequence"]["id"] == SEQ_ID
    durations = {k: v["duration_ms"] for k, v in live["nodes"].items() if "duration_ms" in v}
    assert durations == {"check": 5, "each": 40, "work": 2, "route": 0, "rd": 1, "ab": 3,
                         "vy": 3, "broken": 7}  # fmt: skip
    assert {k: {f: x for f, x in v.items() if f != "duration_ms"}
            for k, v in live["nodes"].items()} == EXPECTED_NODES  # fmt: skip


def test_a_failed_instance_carries_its_error_s_first_line() -> None:
    assert instance_view(data("failed"))["instance"]["error"] == "KeyError: 'x'"


def test_a_scheduled_instance_s_running_step_waits_on_a_timer() -> None:
    view = instance_view(data("scheduled"))
    assert view["nodes"]["fetch"] == {"state": "waiting", "attempt": 1, "max_attempts": 3,
                                      "waiting_for": "timer"}  # fmt: skip
    assert view["nodes"]["poll"]["state"] == "waiting"


def test_bundles() -> None:
    assert sequence_bundle(SEQ) == {
        "text/plain": sequence_text(SEQ), "text/html": sequence_html(SEQ),
        SEQUENCE_MIME: sequence_view(SEQ),
    }  # fmt: skip
    assert SEQ._repr_mimebundle_() == sequence_bundle(SEQ)
    assert SEQ._repr_mimebundle_(exclude=["text/html"]).keys() == {"text/plain", SEQUENCE_MIME}
    d = data()
    args = (d.row, d.sequence, d.nodes, d.latest)
    assert instance_bundle(d) == {
        "text/plain": instance_text(*args), "text/html": instance_html(*args),
        INSTANCE_MIME: instance_view(d),
    }  # fmt: skip


def test_select_mimes() -> None:
    bundle = {"a": 1, "b": 2, "c": 3}
    assert select_mimes(bundle) == bundle
    assert select_mimes(bundle, include=["a", "b"], exclude=["b"]) == {"a": 1}
    assert select_mimes(bundle, include=[]) == {}


def test_a_paused_instance_s_running_step_waits_for_resume() -> None:
    view = instance_view(data("paused"))
    assert view["nodes"]["fetch"] == {"state": "waiting", "attempt": 1, "max_attempts": 3,
                                      "waiting_for": "paused"}  # fmt: skip


def test_a_live_timer_counts_down_from_the_engine_clock() -> None:
    d = data("scheduled")
    timed = InstanceData(dataclasses.replace(d.row, next_fire_at=95_000), d.sequence, d.nodes,
                         d.outputs, d.latest, now_ms=20_000)  # fmt: skip
    assert instance_view(timed, live=True)["nodes"]["fetch"]["wakes_in_ms"] == 75_000
    assert "wakes_in_ms" not in instance_view(timed)["nodes"]["fetch"]  # static: no times
    late = dataclasses.replace(timed, now_ms=99_000)  # overdue: it fires any moment
    assert instance_view(late, live=True)["nodes"]["fetch"]["wakes_in_ms"] == 0
