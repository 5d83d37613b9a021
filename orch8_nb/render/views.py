"""Views: the plain JSON the front end draws (``docs/ui-protocol.md``), built in one place.

Widgets, mime bundles and saved notebooks all read these dicts, so a tree looks the same
live and on disk. Static views (``live=False``) hold nothing that changes between two
runs of a notebook: no instance or sequence ids, no registration time, no durations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from orch8_nb.model import (
    ERROR_REF,
    RETRY_REF,
    ABSplitDef,
    BlockOutput,
    ExecutionNode,
    ForEachDef,
    LoopDef,
    RouterDef,
    SequenceDefinition,
    StepDef,
)
from orch8_nb.model.blocks import Block
from orch8_nb.model.timestamps import datetime_to_ms
from orch8_nb.render.instance import _details, _idle, _states, instance_html, instance_text
from orch8_nb.render.sequence_html import sequence_html
from orch8_nb.render.sequence_text import sequence_text
from orch8_nb.storage.rows import InstanceRow

if TYPE_CHECKING:
    from orch8_nb.engine.facade import Engine

#: Bumped on any incompatible change; ``labextension/src/model/contract.ts`` must agree.
PROTOCOL: Final = 1

SEQUENCE_MIME: Final = "application/vnd.orch8.sequence+json"
INSTANCE_MIME: Final = "application/vnd.orch8.instance+json"
GRAPHVIZ_MIME: Final = "text/vnd.graphviz"
#: Marks a widget output whose static form is its ``text/html`` (tables, timelines), so the
#: JupyterLab extension shows that, not "Loading widget...", when the kernel is gone.
WIDGET_MIME: Final = "application/vnd.orch8.widget+json"

#: Sequence fields that differ between two runs of the same notebook (fresh UUID, the
#: registration time): left out of static views.
_VOLATILE_SEQUENCE_FIELDS: Final = ("id", "created_at")
_ACTIVE: Final = frozenset({"running", "waiting"})

NodeView = dict[str, Any]


@dataclass(frozen=True, slots=True)
class InstanceData:
    """One read of an instance: everything its renderings and views need."""

    row: InstanceRow
    sequence: SequenceDefinition
    """The version it runs (with injected blocks; an item instance's body only)."""
    nodes: list[ExecutionNode]
    outputs: list[BlockOutput]
    """Every output row, oldest first (retry markers and errors included)."""
    latest: dict[str, Any] = field(default_factory=dict)
    """Latest real output, or the error that failed it, per block id."""
    now_ms: int | None = None
    """The engine clock when read (live views count timers down from it)."""


def read_instance(engine: Engine, instance_id: str) -> InstanceData:
    """Read an instance through the engine's sync facade (so never on the engine loop)."""
    row, seq, nodes, _ = engine._render_inputs(instance_id)
    outputs = engine.outputs(instance_id)
    latest = {o.block_id: o.output for o in outputs if o.output_ref in (None, ERROR_REF)}
    return InstanceData(row, seq, nodes, outputs, latest, engine.clock.now_ms())


def sequence_json(seq: SequenceDefinition, *, live: bool = False) -> dict[str, Any]:
    """The Orch8 JSON of ``seq``; static (``live=False``) without its id and creation time."""
    data = seq.model_dump(mode="json", by_alias=True, exclude_none=True)
    if not live:
        for key in _VOLATILE_SEQUENCE_FIELDS:
            data.pop(key, None)
    return data


def sequence_view(seq: SequenceDefinition, *, live: bool = False) -> dict[str, Any]:
    """A SequenceView: ``{"protocol", "sequence"}``."""
    return {"protocol": PROTOCOL, "sequence": sequence_json(seq, live=live)}


def instance_view(data: InstanceData, *, live: bool = False) -> dict[str, Any]:
    """An InstanceView; ``live`` adds the instance ``id`` and node ``duration_ms``."""
    summary: dict[str, Any] = {
        "state": str(data.row.state),
        "sequence_name": data.sequence.name,
        "version": data.sequence.version,
        "error": _instance_error(data.row),
    }
    if live:
        summary["id"] = data.row.id
    return {
        "protocol": PROTOCOL,
        "sequence": sequence_json(data.sequence, live=live),
        "instance": summary,
        "nodes": node_views(data, live=live),
    }


def node_views(data: InstanceData, *, live: bool = False) -> dict[str, NodeView]:
    """A NodeView per block of the main tree, in tree order (blocks not reached: pending)."""
    instance_state = str(data.row.state)
    states = _states(data.nodes, instance_state)
    details = _details(
        data.sequence, states, data.latest, _idle(data.nodes, instance_state), data.row.metadata
    )
    rows: dict[str, list[BlockOutput]] = {}
    for out in data.outputs:
        rows.setdefault(out.block_id, []).append(out)
    nodes = {node.block_id: node for node in data.nodes}
    views: dict[str, NodeView] = {}
    for ref in data.sequence.iter_blocks():
        block = ref.block
        state = states.get(block.id, "pending")
        view: NodeView = {"state": state}
        if state != "pending":
            view.update(_progress(block, state, rows.get(block.id, []), data.row.metadata))
        detail = details.get(block.id)
        if detail and state == "waiting":
            view["waiting_for"] = detail
            if live and detail == "timer":
                view.update(_wakes_in(data))
        elif detail and state == "failed":
            view["error"] = detail
        node = nodes.get(block.id)
        if live and node is not None and node.started_at and node.completed_at:
            view["duration_ms"] = datetime_to_ms(node.completed_at) - datetime_to_ms(
                node.started_at
            )
        views[block.id] = view
    return views


def _wakes_in(data: InstanceData) -> NodeView:
    """``wakes_in_ms``: how long until the instance's timer fires (the card counts down)."""
    due, now = data.row.next_fire_at, data.now_ms
    return {} if due is None or now is None else {"wakes_in_ms": max(0, due - now)}


def _progress(
    block: Block, state: str, rows: Sequence[BlockOutput], metadata: Mapping[str, Any]
) -> NodeView:
    """Attempts, iterations and the branch taken, from output rows and instance metadata."""
    if isinstance(block, StepDef):
        return _attempts(block, state, rows)
    if isinstance(block, LoopDef):
        done = max((_int(r.output, "_iterations") for r in _real(rows)), default=0)
        current = done + 1 if state in _ACTIVE else done  # the pass under way counts
        return {"iteration": current, "iterations": block.max_iterations}
    if isinstance(block, ForEachDef):
        markers = [r.output for r in _real(rows) if _int(r.output, "_index", -1) >= 0]
        if not markers:
            return {}
        if (block.max_parallel or 1) > 1:  # items finish in any order: count them
            done = len({m["_index"] for m in markers})
        else:
            done = markers[-1]["_index"] + 1
        total = min(_int(markers[-1], "_total"), block.max_iterations)
        return {"iteration": done, "iterations": total}
    if isinstance(block, RouterDef):
        chosen = metadata.get(f"_route:{block.id}")
        if isinstance(chosen, int) and not isinstance(chosen, bool):
            return {"route": "default" if chosen >= len(block.routes) else str(chosen)}
        return {}
    if isinstance(block, ABSplitDef):
        picks = [r.output["variant"] for r in _real(rows) if isinstance(r.output, dict)]
        return {"variant": picks[-1]} if picks and isinstance(picks[-1], str) else {}
    return {}


def _attempts(step: StepDef, state: str, rows: Sequence[BlockOutput]) -> NodeView:
    view: NodeView = {}
    if rows:
        last = rows[-1]
        # A retry marker closes attempt n; while the next one runs it is attempt n + 1.
        running_again = last.output_ref == RETRY_REF and state == "running"
        view["attempt"] = last.attempt + (2 if running_again else 1)
    elif state == "running":
        view["attempt"] = 1
    if step.retry is not None:
        view["max_attempts"] = step.retry.max_attempts
    return view


def _real(rows: Iterable[BlockOutput]) -> list[BlockOutput]:
    return [r for r in rows if r.output_ref is None]


def _int(value: Any, key: str, default: int = 0) -> int:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else default


def _instance_error(row: InstanceRow) -> str | None:
    if str(row.state) != "failed":
        return None
    error = row.metadata.get("_error")
    message = error.get("message") if isinstance(error, dict) else None
    return message.strip().splitlines()[0] if isinstance(message, str) and message.strip() else None


# -- mime bundles ---------------------------------------------------------------------------------


def sequence_bundle(seq: SequenceDefinition) -> dict[str, Any]:
    """What a notebook shows for a sequence: text, static HTML and the SequenceView."""
    return {
        "text/plain": sequence_text(seq),
        "text/html": sequence_html(seq),
        SEQUENCE_MIME: sequence_view(seq),
    }


def instance_bundle(data: InstanceData) -> dict[str, Any]:
    """The static part of an instance's display: text, HTML and the static InstanceView."""
    args = (data.row, data.sequence, data.nodes, data.latest)
    return {
        "text/plain": instance_text(*args),
        "text/html": instance_html(*args),
        INSTANCE_MIME: instance_view(data),
    }


def widget_marker(kind: str) -> dict[str, Any]:
    """The ``WIDGET_MIME`` value of a widget's static bundle."""
    return {"protocol": PROTOCOL, "kind": kind}


def select_mimes(
    bundle: Mapping[str, Any],
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> dict[str, Any]:
    """``bundle`` restricted as IPython's ``include``/``exclude`` arguments ask."""
    wanted = None if include is None else set(include)
    unwanted = set(exclude or ())
    return {
        mime: value
        for mime, value in bundle.items()
        if (wanted is None or mime in wanted) and mime not in unwanted
    }


__all__ = [
    "GRAPHVIZ_MIME",
    "INSTANCE_MIME",
    "PROTOCOL",
    "SEQUENCE_MIME",
    "WIDGET_MIME",
    "InstanceData",
    "instance_bundle",
    "instance_view",
    "node_views",
    "read_instance",
    "select_mimes",
    "sequence_bundle",
    "sequence_json",
    "sequence_view",
    "widget_marker",
]
