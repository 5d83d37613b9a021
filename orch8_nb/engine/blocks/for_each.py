"""``for_each``: run the body once per item of ``collection``.

Before each iteration ``context.data[item_var]`` is set to the item (and removed after the
last), and a marker output ``{_index, _total, _item_var}`` is written, so every iteration's
outputs sit after the marker of their item. A missing, non-array or empty collection
completes at once (the body is skipped); a failing body fails the block;
``max_iterations`` caps the count. The position is kept in instance metadata
(``_each:<id>``); after the last iteration the body keeps its final states.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks._lanes import (
    Lane,
    advance_lane,
    all_pending,
    close,
    finish,
    lanes,
    reset,
)
from orch8_nb.engine.evaluator import Evaluation
from orch8_nb.engine.run import Run
from orch8_nb.engine.scope import scope_for
from orch8_nb.expr import evaluate
from orch8_nb.storage.rows import NodeRow


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    body = lanes(run, node).get(None, [])
    key = f"_each:{block.id}"
    index = int(run.inst.metadata.get(key, 0))
    if all_pending(body) and not _begin(run, node, block, ev, body, index):
        return
    result = advance_lane(run, body, ev, in_flight)
    if result is Lane.ACTIVE:
        return
    if result is not Lane.DONE:
        finish(run, node, ev, result)
        return
    run.set_metadata(key, index + 1)
    ev.changed = True
    if _items(run, block, index + 1) is not None:
        reset(run, body)  # the next pass binds the next item
    else:
        _end(run, node, block, ev)


def _items(run: Run, block: Any, index: int) -> list[Any] | None:
    """The collection, if it still has an item at ``index`` within ``max_iterations``."""
    items = evaluate(block.collection, scope_for(run), strict=False)
    if not isinstance(items, list) or index >= min(len(items), block.max_iterations):
        return None
    return items


def _begin(
    run: Run, node: NodeRow, block: Any, ev: Evaluation, body: list[NodeRow], index: int
) -> bool:
    """Bind item ``index`` and write its marker; False (block finished) when there is none."""
    items = _items(run, block, index)
    if items is None:
        close(run, body, "skipped")
        _end(run, node, block, ev)
        return False
    run.merge_data({block.item_var: items[index]})
    marker = {"_index": index, "_total": len(items), "_item_var": block.item_var}
    run.add_output(block.id, marker, attempt=0)
    return True


def _end(run: Run, node: NodeRow, block: Any, ev: Evaluation) -> None:
    if block.item_var in run.inst.context_data:
        run.inst.context_data.pop(block.item_var)
        run.merge_data({})  # mark context.data for the commit
    finish(run, node, ev, Lane.DONE)
