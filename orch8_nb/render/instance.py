"""Static rendering of one instance: its sequence drawn with each node's state.

The instance id and times are left out on purpose: they change on every run, and static
outputs must be byte-identical between runs of the same notebook (UI.md).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from orch8_nb.model.blocks import ForEachDef, StepDef, SubSequenceDef
from orch8_nb.model.execution import APPROVAL_REQUEST, ExecutionNode, NodeState
from orch8_nb.model.sequence import SequenceDefinition
from orch8_nb.render.sequence_html import sequence_html
from orch8_nb.render.sequence_text import sequence_text
from orch8_nb.render.states import node_state_badge, state_style


class InstanceLike(Protocol):
    """What the renderings read from an instance record (storage row or wire model)."""

    @property
    def state(self) -> str: ...


#: Instance states in which nothing runs: an active node waits (on its timer, or for resume).
_IDLE_WHAT = {"scheduled": "timer", "paused": "paused"}


def _states(nodes: Iterable[ExecutionNode], instance_state: str = "") -> dict[str, str]:
    # One node per block; if a block has several (re-runs), the last one listed wins.
    states = {node.block_id: str(node.state) for node in nodes}
    if instance_state in _IDLE_WHAT:
        # Nothing runs while the instance waits for its fire time (a delay or a retry
        # backoff) or is paused: UI.md draws its active steps as waiting.
        for block_id, state in states.items():
            if state == NodeState.RUNNING:
                states[block_id] = NodeState.WAITING.value
    return states


def _idle(nodes: Iterable[ExecutionNode], instance_state: str) -> dict[str, str]:
    """What the running nodes of an instance that runs nothing wait for, by block id."""
    what = _IDLE_WHAT.get(instance_state)
    if what is None:
        return {}
    return {n.block_id: what for n in nodes if n.state == NodeState.RUNNING}


def _first_line(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("error", "message"):
            if isinstance(value.get(key), str):
                return str(value[key]).splitlines()[0] if value[key] else None
    return None


def _metadata(row: InstanceLike) -> Mapping[str, Any]:
    """Instance metadata, where the record has it (what a handler asked a person)."""
    found = getattr(row, "metadata", None)
    return found if isinstance(found, Mapping) else {}


def _details(
    seq: SequenceDefinition,
    states: Mapping[str, str],
    latest: Mapping[str, Any],
    idle: Mapping[str, str],
    metadata: Mapping[str, Any],
) -> dict[str, str]:
    """The text beside a state: what a waiting block waits for, a failure's first line.
    ``idle`` (from ``_idle``) names the steps that wait only because the instance does."""
    details: dict[str, str] = {}
    for ref in seq.iter_blocks():
        block, state = ref.block, states.get(ref.block.id)
        if state == NodeState.WAITING:
            asked = metadata.get(APPROVAL_REQUEST + block.id)
            if isinstance(block, StepDef) and block.id in idle:
                details[block.id] = idle[block.id]
            elif isinstance(asked, dict):  # the step's handler asked a person
                details[block.id] = f"approval: {asked.get('prompt') or block.id}"
            elif isinstance(block, StepDef) and block.wait_for_input is not None:
                details[block.id] = f"human input: {block.wait_for_input.prompt or block.id}"
            elif isinstance(block, StepDef):
                details[block.id] = f"worker: {block.handler}"
            elif isinstance(block, SubSequenceDef):
                details[block.id] = f"child: {block.sequence_name}"
            elif isinstance(block, ForEachDef):
                details[block.id] = "items running as child instances"
        elif state == NodeState.FAILED:
            line = _first_line(latest.get(block.id))
            if line:
                details[block.id] = line
    return details


def instance_html(
    row: InstanceLike,
    seq: SequenceDefinition,
    nodes: Iterable[ExecutionNode],
    latest: Mapping[str, Any],
) -> str:
    """HTML of the instance: a state header, then the sequence with a state per block."""
    nodes = list(nodes)
    states = _states(nodes, str(row.state))
    details = _details(seq, states, latest, _idle(nodes, str(row.state)), _metadata(row))
    head = (
        '<div class="o8nb-instance" style="margin:0 0 6px">'
        f"instance of <b>{html.escape(seq.name)}</b> {node_state_badge(str(row.state))}</div>"
    )
    body = sequence_html(seq, states=states, details=details)
    return f"<div>{head}{body}</div>"


def instance_text(
    row: InstanceLike,
    seq: SequenceDefinition,
    nodes: Iterable[ExecutionNode],
    latest: Mapping[str, Any],
) -> str:
    """Text of the instance: a state line, then the block tree with node states and, for
    failed blocks, the error's first line."""
    look = state_style(str(row.state))
    version = f" v{seq.version}" if seq.version is not None else ""
    header = f"instance of {seq.name}{version}: {look.icon} {row.state}"
    nodes = list(nodes)
    states = _states(nodes, str(row.state))
    details = _details(seq, states, latest, _idle(nodes, str(row.state)), _metadata(row))
    return header + "\n" + sequence_text(seq, states=states, details=details, title=False)
