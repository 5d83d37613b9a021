"""``sub_sequence``: run another sequence as a child instance and wait for it.

The first time the block is active the runner starts the child (``engine/children.py``)
and the node goes ``waiting``; the child's id is kept in instance metadata
(``_child:<block_id>``, cleared by a loop's next iteration so every pass starts its own).
When the child ends, its final commit queues a ``child_finished`` signal for the parent,
so the result survives a crash of either side. A completed child gives the block its
outputs (Orch8's array of the child's output rows); a failed or cancelled child fails
the node.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.children import fail_for_child
from orch8_nb.engine.evaluator import Evaluation, Spawn
from orch8_nb.engine.run import Run
from orch8_nb.engine.signals import CHILD_FINISHED, CHILD_PREFIX, deliver
from orch8_nb.storage.rows import NodeRow


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    child_id = run.inst.metadata.get(CHILD_PREFIX + block.id)
    if child_id is None:
        ev.spawn.append(Spawn(node, block))
        return
    for sig in run.signals:
        body = sig.payload
        if sig.signal_type == CHILD_FINISHED and body.get("child_instance_id") == child_id:
            deliver(run, sig)
            _settle(run, node, block, body)
            ev.changed = True
            return
    if node.state != "waiting":
        run.set_node(node, "waiting")
        ev.changed = True
    ev.waiting = True


def _settle(run: Run, node: NodeRow, block: Any, result: dict[str, Any]) -> None:
    if result.get("state") != "completed":
        fail_for_child(run, node, f"sub-sequence {block.sequence_name!r}", result)
        return
    run.add_output(block.id, result.get("outputs", []), attempt=0)
    run.set_node(node, "completed")
    child_id = result.get("child_instance_id")
    run.audit("child_completed", {"child_instance_id": child_id}, block_id=block.id)
