"""Dynamic injection: adding top-level blocks to one running instance.

An injection travels as an internal ``inject_blocks`` signal, so it reaches an instance
whichever state it is in and whichever engine holds it, and applies between steps. It is
also what a step does by returning ``{"_self_modify": true, "blocks": [...],
"position"?}`` (the ``self_modify`` built-in). Injected blocks go into the instance's
top-level list (appended, or at ``position``, never before the block running now) and
are kept in instance metadata (``_injected_blocks``), so a reload rebuilds the same
sequence: the version itself is never changed. Each injection is validated like a
sequence (unique ids, limits, every problem with its path) before anything changes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from orch8_nb.engine.blocks import SUPPORTED
from orch8_nb.engine.compiled import CompiledSequence, check_supported
from orch8_nb.engine.dispatch import Outcome
from orch8_nb.engine.run import Run, StepError
from orch8_nb.engine.signals import deliver
from orch8_nb.engine.tree import DONE_OK, Tree, build_nodes
from orch8_nb.errors import InputValidationError, Problem
from orch8_nb.model import SequenceDefinition

INJECTED_KEY = "_injected_blocks"
SIGNAL = "inject_blocks"


def merged(base: SequenceDefinition, injections: list[dict[str, Any]]) -> SequenceDefinition:
    """``base`` with ``injections`` applied in order; raises with paths if that is invalid."""
    blocks = [b.model_dump(mode="json", exclude_none=True) for b in base.blocks]
    for i, item in enumerate(injections):
        where = f"injections[{i}]"
        new = item.get("blocks")
        if not isinstance(new, list) or not new:
            raise InputValidationError([Problem(f"{where}.blocks", "must be a non-empty list")])
        position = item.get("position")
        if position is None:
            position = len(blocks)
        valid = isinstance(position, int) and not isinstance(position, bool)
        if not valid or not 0 <= position <= len(blocks):
            raise InputValidationError(
                [Problem(f"{where}.position", f"must be an integer from 0 to {len(blocks)}")]
            )
        blocks[position:position] = new
    body = base.model_dump(mode="json", exclude_none=True)
    body["blocks"] = blocks
    definition = SequenceDefinition.from_json(body)
    check_supported(definition, SUPPORTED)
    return definition


def compiled_with(base: CompiledSequence, injections: list[dict[str, Any]]) -> CompiledSequence:
    return CompiledSequence.build(base.id, merged(base.definition, injections))


def fingerprint(injections: list[dict[str, Any]]) -> str:
    text = json.dumps(injections, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_injection(run: Run, blocks: Any, position: Any) -> dict[str, Any]:
    """The injection as stored, after checking it against the instance as it is now."""
    item: dict[str, Any] = {"blocks": blocks, "position": position}
    roots = run.tree.roots
    earliest = next((i for i, n in enumerate(roots) if n.state not in DONE_OK), len(roots))
    if earliest < len(roots) and roots[earliest].state != "pending":
        earliest += 1  # not before (or into the place of) the block running now
    if isinstance(position, int) and not isinstance(position, bool) and position < earliest:
        raise InputValidationError(
            [Problem("position", f"must be at least {earliest}: the blocks before it have run "
                     "or are running")]
        )  # fmt: skip
    merged(run.seq.definition, [item])  # validates (raises with paths)
    return item


def inject(run: Run, item: dict[str, Any]) -> list[str]:
    """Apply a checked injection to ``run`` in memory (committed with its changeset)."""
    position = item.get("position")
    stored = {**item, "position": len(run.seq.definition.blocks) if position is None else position}
    compiled = CompiledSequence.build(run.seq.id, merged(run.seq.definition, [stored]))
    fresh = build_nodes(run.inst.id, compiled.definition.blocks, run.new_id)
    old = {n.block_id: n for n in run.tree.nodes.values()}
    nodes = []
    for node in fresh:
        kept = old.get(node.block_id)
        if kept is not None:
            kept.position = node.position
        nodes.append(kept or node)
    run.seq = compiled
    run.tree = Tree(nodes)
    run.pending.nodes_delete = True
    run.pending.nodes_insert = nodes
    run.set_metadata(INJECTED_KEY, [*run.inst.metadata.get(INJECTED_KEY, []), stored])
    added = [b["id"] for b in item["blocks"] if isinstance(b, dict) and "id" in b]
    run.audit("blocks_injected", {"blocks": added, "position": stored["position"]})
    return added


def apply_injection_signals(run: Run) -> bool:
    """Apply pending ``inject_blocks`` signals (before the other signals); True if any."""
    found = False
    for sig in [s for s in run.signals if s.signal_type == SIGNAL]:
        body = sig.payload if isinstance(sig.payload, dict) else {}
        try:
            inject(run, check_injection(run, body.get("blocks"), body.get("position")))
        except InputValidationError as exc:
            deliver(run, sig, ignored=str(exc))
            continue
        deliver(run, sig)
        found = True
    return found


def self_modify(run: Run, outcome: Outcome) -> Outcome:
    """A step's ``{"_self_modify": true, "blocks": [...], "position"?}`` output injects the
    blocks; the step's output becomes ``{injected_count, position}`` (as in Orch8)."""
    value = outcome.value
    if not (outcome.ok and isinstance(value, dict) and value.get("_self_modify") is True):
        return outcome
    try:
        item = check_injection(run, value.get("blocks"), value.get("position"))
    except InputValidationError as exc:
        error = StepError(f"self_modify: {exc}", False, kind="config")
        return Outcome(False, error=error, started_at=outcome.started_at)
    added = inject(run, item)
    position = run.inst.metadata[INJECTED_KEY][-1]["position"]
    return Outcome(True, {"injected_count": len(added), "position": position},
                   started_at=outcome.started_at)  # fmt: skip
