"""``saga``: actions run in order; if one fails, the compensations of the actions that
completed run in reverse order (best effort: a failing compensation does not stop the
next), and then the saga fails, as in Orch8. The compensating phase is kept in instance
metadata (``_phase:<id>``) so a restart resumes it.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks._lanes import Lane, advance_lane, close, lanes
from orch8_nb.engine.evaluator import Evaluation
from orch8_nb.engine.evaluator import advance as advance_node
from orch8_nb.engine.run import Run
from orch8_nb.engine.tree import TERMINAL_NODE_STATES
from orch8_nb.storage.rows import NodeRow


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    parts = lanes(run, node)
    actions = [parts[2 * i][0] for i in range(len(block.steps))]
    compensations = {i: parts[2 * i + 1][0] for i in range(len(block.steps)) if 2 * i + 1 in parts}
    phase = f"_phase:{block.id}"
    if run.inst.metadata.get(phase) != "compensate":
        result = advance_lane(run, actions, ev, in_flight)
        if result is Lane.ACTIVE:
            return
        if result is Lane.DONE:
            close(run, list(compensations.values()), "skipped")
            run.set_node(node, "completed")
            ev.changed = True
            return
        run.set_metadata(phase, "compensate")
        close(run, actions, "skipped")  # actions never reached
        done = [i for i, action in enumerate(actions) if action.state == "completed"]
        undo = {i for i in done if i in compensations}
        close(run, [c for i, c in compensations.items() if i not in undo], "skipped")
        ev.changed = True
    todo = [c for i, c in sorted(compensations.items(), reverse=True) if c.state != "skipped"]
    if _best_effort(run, todo, ev, in_flight):
        run.set_node(node, "failed")
        ev.changed = True


def _best_effort(run: Run, nodes: list[NodeRow], ev: Evaluation, in_flight: set[str]) -> bool:
    """Run ``nodes`` one after another, going on past failures; True once all have ended."""
    for child in nodes:
        if child.state in TERMINAL_NODE_STATES:
            continue
        if child.state == "pending":
            run.set_node(child, "running")
            ev.changed = True
        advance_node(run, child, ev, in_flight)
        return False
    return True
