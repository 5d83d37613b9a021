"""``try_catch``: run ``try_block``; if it fails, run ``catch_block``; always ``finally``.

On a failure in ``try``, ``context.data._error`` is set to ``{failed_blocks, source:
"try_catch", block_id}`` before ``catch`` runs. An explicitly empty ``catch_block: []``
swallows the error. ``finally_block`` runs after either, and steps in it are protected
from cancellation. The block fails if ``catch`` fails or ``finally`` fails.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks._lanes import Lane, advance_lane, close, descendants, lanes
from orch8_nb.engine.evaluator import Evaluation
from orch8_nb.engine.run import Run
from orch8_nb.storage.rows import NodeRow

TRY, CATCH, FINALLY = 0, 1, 2


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    parts = lanes(run, node)
    tried = advance_lane(run, parts.get(TRY, []), ev, in_flight)
    if tried is Lane.ACTIVE:
        return
    if tried is Lane.CANCELLED:
        close(run, [c for children in parts.values() for c in children], "cancelled")
        run.set_node(node, "cancelled")
        ev.changed = True
        return
    ok = True
    if tried is Lane.DONE:
        close(run, parts.get(CATCH, []), "skipped")
    elif parts.get(CATCH):
        phase = f"_phase:{block.id}"
        if run.inst.metadata.get(phase) != "catch":
            run.set_metadata(phase, "catch")
            failed = [n.block_id for n in parts[TRY] + _inside(run, parts[TRY])
                      if n.state == "failed"]  # fmt: skip
            run.merge_data(
                {"_error": {"failed_blocks": failed, "source": "try_catch", "block_id": block.id}}
            )
            ev.changed = True
        caught = advance_lane(run, parts[CATCH], ev, in_flight)
        if caught is Lane.ACTIVE:
            return
        ok = caught is Lane.DONE
    # else: an empty catch block swallows the failure
    final = advance_lane(run, parts.get(FINALLY, []), ev, in_flight)
    if final is Lane.ACTIVE:
        return
    run.set_node(node, "completed" if ok and final is Lane.DONE else "failed")
    ev.changed = True


def _inside(run: Run, nodes: list[NodeRow]) -> list[NodeRow]:
    return [d for n in nodes for d in descendants(run, n)]
