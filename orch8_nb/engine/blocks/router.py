"""``router``: the first route whose condition is truthy runs; the others are skipped.

With no match the ``default`` blocks run, and with no default the router completes at
once. Conditions are evaluated once, when the router starts (leniently: a condition that
cannot be evaluated counts as false, as in Orch8); the choice is kept in instance
metadata as ``_route:<id>`` (like a served delay) so it survives restarts and never
changes mid-route; a loop's next iteration forgets it.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks._lanes import Lane, advance_lane, close, lanes
from orch8_nb.engine.evaluator import Evaluation
from orch8_nb.engine.run import Run
from orch8_nb.engine.scope import scope_for
from orch8_nb.expr import evaluate, truthy
from orch8_nb.storage.rows import NodeRow


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    routes = lanes(run, node)
    key = f"_route:{block.id}"
    if key in run.inst.metadata:
        chosen = run.inst.metadata[key]
    else:
        chosen = _choose(run, block)
        run.set_metadata(key, chosen)
        for index, children in routes.items():
            if index != chosen:
                close(run, children, "skipped")
        ev.changed = True
    if chosen is None:
        run.set_node(node, "completed")
        return
    result = advance_lane(run, routes.get(chosen, []), ev, in_flight)
    if result is Lane.DONE:
        run.set_node(node, "completed")
        ev.changed = True
    elif result in (Lane.FAILED, Lane.CANCELLED):
        run.set_node(node, "failed" if result is Lane.FAILED else "cancelled")
        ev.changed = True


def _choose(run: Run, block: Any) -> int | None:
    scope = scope_for(run)
    for index, route in enumerate(block.routes):
        if truthy(evaluate(route.condition, scope, strict=False)):
            return index
    return len(block.routes) if block.default is not None else None
