"""``race``: branches run at once; the first to finish without failing wins.

The losers are cancelled (steps interrupted, their pending worker tasks withdrawn).
``first_to_resolve`` (the default): a failing branch fails the race at once.
``first_to_succeed``: failed branches drop out; the race fails only when all have.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks._lanes import Lane, advance_lane, close, lanes
from orch8_nb.engine.evaluator import Evaluation
from orch8_nb.engine.run import Run
from orch8_nb.storage.rows import NodeRow


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    branches = list(lanes(run, node).values())
    everything = [c for children in branches for c in children]
    first_to_succeed = str(block.semantics) == "first_to_succeed"
    results: list[Lane] = []
    for children in branches:
        result = advance_lane(run, children, ev, in_flight)
        results.append(result)
        if result is Lane.DONE:
            close(run, everything, "cancelled")  # the losers
            run.set_node(node, "completed")
            ev.changed = True
            return
        if result in (Lane.FAILED, Lane.CANCELLED) and not first_to_succeed:
            close(run, everything, "cancelled")
            run.set_node(node, "failed" if result is Lane.FAILED else "cancelled")
            ev.changed = True
            return
    if all(r in (Lane.FAILED, Lane.CANCELLED) for r in results):
        close(run, everything, "cancelled")
        run.set_node(node, "failed")
        ev.changed = True
