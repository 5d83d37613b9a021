"""``parallel``: every branch runs at once; done when all are, failed if any fails.

When a branch fails, the branches still running are cancelled (their steps interrupted),
and the block fails.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks._lanes import Lane, advance_lane, close, lanes
from orch8_nb.engine.evaluator import Evaluation
from orch8_nb.engine.run import Run
from orch8_nb.storage.rows import NodeRow


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    branches = lanes(run, node)
    results = [advance_lane(run, children, ev, in_flight) for children in branches.values()]
    if Lane.FAILED in results:
        close(run, [c for children in branches.values() for c in children], "cancelled")
        run.set_node(node, "failed")
        ev.changed = True
    elif Lane.CANCELLED in results:
        close(run, [c for children in branches.values() for c in children], "cancelled")
        run.set_node(node, "cancelled")
        ev.changed = True
    elif all(r is Lane.DONE for r in results):
        run.set_node(node, "completed")
        ev.changed = True
