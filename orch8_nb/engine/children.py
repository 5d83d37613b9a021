"""Child instances: starting them, reporting back to the parent, cancelling them.

Children are ``sub_sequence`` runs and the items of a parallel ``for_each`` (an *item
instance* runs the same sequence version, rooted at the for_each's body, with the item
bound in its own ``context.data`` and the parent's outputs so far copied in).

Every hand-over between parent and child is part of one commit. The parent's commit that
records a child also inserts the child instance; the child's final commit also queues
the ``child_finished`` signal that carries its result to the parent. A crash on either
side therefore never loses or duplicates a child.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orch8_nb.engine.admission import admit, new_instance_rows
from orch8_nb.engine.convert import output_model
from orch8_nb.engine.run import Run, StepError, fail_node
from orch8_nb.engine.scope import scope_for
from orch8_nb.engine.signals import CHILD_FINISHED, CHILD_PREFIX, LIVE_PREFIX
from orch8_nb.errors import InstanceValidationError, Orch8Error, Problem
from orch8_nb.expr import has_template, resolve_templates
from orch8_nb.model.walk import iter_blocks
from orch8_nb.storage.rows import Changeset, InstanceRow, NodeRow, OutputRow, SignalRow

if TYPE_CHECKING:
    from orch8_nb.engine.evaluator import Spawn
    from orch8_nb.engine.services import Services

#: Nesting limit of child instances, as Orch8 limits sub-sequences (a root has depth 0).
MAX_DEPTH = 16
DEPTH_KEY = "_sub_sequence_depth"
PARENT_BLOCK_KEY = "_parent_block_id"
#: Metadata of an item instance: the for_each whose body it runs, and the item's index.
ENTRY_KEY = "_entry_block"
INDEX_KEY = "_item_index"


async def start_children(s: Services, run: Run, spawns: list[Spawn]) -> None:
    """Create the children ``spawns`` ask for (the caller commits them with the parent).

    A child that cannot start (unknown sequence, bad input, too deep) fails its node with
    the reason; nothing is created for it.
    """
    for sp in spawns:
        node, block = sp.node, sp.block
        if node.state not in ("running", "waiting"):
            continue  # an earlier spawn of the same node failed it
        try:
            if sp.index is None:
                row = await _sub_sequence_row(s, run, block)
            else:
                row = _item_row(run, block, sp.index, sp.item)
        except Orch8Error as exc:
            what = f"sub_sequence {block.sequence_name!r}" if sp.index is None else "for_each"
            error = StepError(f"{what}: {exc}", False, kind="config")
            run.audit("step_failed", {"error": error.to_json()}, block_id=block.id)
            fail_node(run, node, error)
            cancel_child(run, node)
            continue
        details: dict[str, Any] = {"child_instance_id": row.id, "sequence_id": row.sequence_id}
        if sp.index is None:
            run.set_metadata(CHILD_PREFIX + block.id, row.id)
        else:
            live = {**run.inst.metadata.get(LIVE_PREFIX + block.id, {}), str(sp.index): row.id}
            run.set_metadata(LIVE_PREFIX + block.id, live)
            run.set_metadata(f"_each:{block.id}", sp.index + 1)
            details["index"] = sp.index
        run.set_node(node, "waiting")
        run.audit("child_started", details, block_id=block.id)


def _depth(parent: InstanceRow) -> int:
    depth = int(parent.metadata.get(DEPTH_KEY, 0)) + 1
    if depth > MAX_DEPTH:
        raise InstanceValidationError(
            [Problem(DEPTH_KEY, f"child instances nest at most {MAX_DEPTH} levels deep")]
        )
    return depth


async def _sub_sequence_row(s: Services, run: Run, block: Any) -> InstanceRow:
    parent = run.inst
    depth = _depth(parent)
    data = block.input
    if data is not None and has_template(data):
        data = resolve_templates(data, scope_for(run), strict=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise InstanceValidationError(
            [Problem("input", f"must be an object (the child's context.data), not {kind}")]
        )
    compiled = await s.find_sequence(block.sequence_name, block.version, parent.namespace)
    admitted = admit(
        compiled.definition.input_schema, data, None,
        priority=parent.priority, next_fire_at=None, idempotency_key=None,
        concurrency_key=None, max_concurrency=None, timezone=parent.timezone,
        metadata={PARENT_BLOCK_KEY: block.id, DEPTH_KEY: depth},
    )  # fmt: skip
    row, audits = new_instance_rows(admitted, compiled, s.clock, owner=None)
    return _adopt(run, row, audits)


def _item_row(run: Run, block: Any, index: int, item: Any) -> InstanceRow:
    """An item instance of a parallel for_each: this sequence version, rooted at its body."""
    parent = run.inst
    meta = {PARENT_BLOCK_KEY: block.id, DEPTH_KEY: _depth(parent), ENTRY_KEY: block.id,
            INDEX_KEY: index}  # fmt: skip
    if parent.metadata.get("_injected_blocks"):  # the body may be an injected block
        meta["_injected_blocks"] = parent.metadata["_injected_blocks"]
    admitted = admit(
        None, {**parent.context_data, block.item_var: item}, {"config": parent.context_config},
        priority=parent.priority, next_fire_at=None, idempotency_key=None,
        concurrency_key=None, max_concurrency=None, timezone=parent.timezone, metadata=meta,
    )  # fmt: skip
    row, audits = new_instance_rows(admitted, run.seq, run.clock, owner=None)
    _adopt(run, row, audits)
    body = body_block_ids(block)
    for bid, out in run.outputs.items():  # what the body's templates may read
        if bid not in body:
            run.pending.outputs.append(
                OutputRow(run.new_id(), row.id, bid, out.output, None, out.output_size,
                          out.attempt, run.now(), encoded=out.encoded)
            )  # fmt: skip
    return row


def _adopt(run: Run, row: InstanceRow, audits: list[Any]) -> InstanceRow:
    parent = run.inst
    row.parent_instance_id = parent.id
    row.session_id = parent.session_id
    row.budget = parent.budget
    for audit in audits:
        audit.details = {**audit.details, "parent_instance_id": parent.id}
    run.pending.instances_insert.append(row)
    run.pending.audit.extend(audits)
    return row


def body_block_ids(block: Any) -> set[str]:
    """Ids of every block inside a for_each's body."""
    return {ref.block.id for ref in iter_blocks(block.body)}


async def report_to_parent(s: Services, run: Run, outcome: str) -> None:
    """Queue the ``child_finished`` signal with this (ending) child's result for its parent."""
    inst = run.inst
    if inst.parent_instance_id is None:
        return
    body: dict[str, Any] = {
        "child_instance_id": inst.id,
        "block_id": inst.metadata.get(PARENT_BLOCK_KEY),
        "state": outcome,
    }
    if INDEX_KEY in inst.metadata:
        body["index"] = inst.metadata[INDEX_KEY]
    if outcome == "completed":
        rows = await s.storage.get_outputs(inst.id)
        rows += [r for r in run.pending.outputs if r.output_ref is None]
        entry = inst.metadata.get(ENTRY_KEY)
        own = body_block_ids(run.seq.block(entry)) if entry else None  # not the copied rows
        body["outputs"] = [
            _wire(r) for r in rows if r.output_ref is None and (own is None or r.block_id in own)
        ]
    else:
        body["error"] = inst.metadata.get("_error")
    run.pending.signals_send.append(
        SignalRow(run.new_id(), inst.parent_instance_id, CHILD_FINISHED, body, run.now())
    )


def _wire(row: OutputRow) -> dict[str, Any]:
    out: dict[str, Any] = output_model(row).model_dump(mode="json")
    return out


def fail_for_child(run: Run, node: NodeRow, label: str, result: dict[str, Any]) -> None:
    """Fail ``node`` because a child it waited for ended without completing.

    ``result`` is the child's ``child_finished`` payload; the error names the child and
    carries its error, so the instance's error says what went wrong down there.
    """
    cause = result.get("error") or {}
    reason = f": {cause['message']}" if isinstance(cause, dict) and "message" in cause else ""
    child_id, state = result.get("child_instance_id"), result.get("state")
    details: dict[str, Any] = {"child_instance_id": child_id, "state": state}
    if "index" in result:
        details["index"] = result["index"]
    details["error"] = cause or None
    error = StepError(f"{label} (instance {child_id}) {state}{reason}", False,
                      details=details, kind="child")  # fmt: skip
    run.audit("step_failed", {"error": error.to_json()}, block_id=node.block_id)
    fail_node(run, node, error)


def notify_others(s: Services, cs: Changeset) -> None:
    """After a commit: wake the scheduler for new children and signalled instances."""
    if cs.instances_insert:
        s.on_reschedule(None)
    for sig in cs.signals_send:
        s.on_signal(sig.instance_id, sig.signal_type)


def cancel_child(run: Run, node: NodeRow) -> None:
    """A node with children still running is being closed: cancel those children too."""
    meta = run.inst.metadata
    if node.block_type == "sub_sequence" and node.state == "waiting":
        running = [meta.get(CHILD_PREFIX + node.block_id)]
    elif node.block_type == "for_each":
        running = list(meta.get(LIVE_PREFIX + node.block_id, {}).values())
        if running:
            run.set_metadata(LIVE_PREFIX + node.block_id, {})
    else:
        return
    for child_id in running:
        if child_id:
            cancel = SignalRow(run.new_id(), child_id, "cancel", {}, run.now())
            run.pending.signals_send.append(cancel)
