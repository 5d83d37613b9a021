"""``for_each``: run the body once per item of ``collection``.

Before each iteration ``context.data[item_var]`` is set to the item (and removed after the
last), and a marker output ``{_index, _total, _item_var}`` is written, so every iteration's
outputs sit after the marker of their item. A missing, non-array or empty collection
completes at once (the body is skipped); a failing body fails the block;
``max_iterations`` caps the count. The position is kept in instance metadata
(``_each:<id>``); after the last iteration the body keeps its final states. With
``retain_iterations: N`` only the outputs (and markers) of the last N items stay stored.

``max_parallel: N`` (an orch8-nb extension) runs up to N items at once, each as an *item
instance*: a child instance of the same sequence version that runs only the body, with
the item bound in its own ``context.data`` (so concurrent items never overwrite each
other's binding). When an item finishes, its marker and then its body's outputs are
appended here, so the history stays grouped by item (in completion order). A failing item
cancels the others and fails the block. The running items are kept in instance metadata
(``_each_live:<id>``).
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks._lanes import (
    Lane,
    advance_lane,
    all_pending,
    close,
    compact,
    finish,
    lanes,
    reset,
)
from orch8_nb.engine.children import cancel_child, fail_for_child
from orch8_nb.engine.evaluator import Evaluation, Spawn
from orch8_nb.engine.run import Run
from orch8_nb.engine.scope import scope_for
from orch8_nb.engine.signals import CHILD_FINISHED, LIVE_PREFIX, deliver
from orch8_nb.expr import evaluate
from orch8_nb.storage.rows import NodeRow


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    body = lanes(run, node).get(None, [])
    if (block.max_parallel or 1) > 1:
        _fan_out(run, node, block, ev, body)
        return
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
    if block.retain_iterations is not None:  # markers open iterations: keep the last N
        compact(run, node, block.retain_iterations - 1)
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


def _fan_out(run: Run, node: NodeRow, block: Any, ev: Evaluation, body: list[NodeRow]) -> None:
    """Parallel mode: take finished items' results, start items while there is room."""
    items = _items(run, block, 0) or []
    total = min(len(items), block.max_iterations)
    live_key = LIVE_PREFIX + block.id
    live: dict[str, str] = dict(run.inst.metadata.get(live_key, {}))
    for sig in list(run.signals):
        result = sig.payload
        if sig.signal_type != CHILD_FINISHED or result.get("block_id") != block.id:
            continue
        if result.get("child_instance_id") not in live.values():
            continue  # not one of ours (any more): the signal handling records it
        deliver(run, sig)
        live.pop(str(result.get("index")), None)
        run.set_metadata(live_key, live)
        ev.changed = True
        if result.get("state") != "completed":
            fail_for_child(run, node, f"item {result.get('index')}", result)
            cancel_child(run, node)  # the items still running
            close(run, body, "cancelled")
            return
        _take_item(run, node, block, result, len(items))
    start = int(run.inst.metadata.get(f"_each:{block.id}", 0))
    for index in range(start, min(total, start + block.max_parallel - len(live))):
        ev.spawn.append(Spawn(node, block, index, items[index]))
    if live or start < total:
        if live and node.state != "waiting":
            run.set_node(node, "waiting")
            ev.changed = True
        ev.waiting = ev.waiting or bool(live)
        return
    close(run, body, "completed" if total else "skipped")  # the items ran as instances
    finish(run, node, ev, Lane.DONE)


def _take_item(run: Run, node: NodeRow, block: Any, result: dict[str, Any], total: int) -> None:
    """Append a finished item's marker, then its body's outputs (grouped by item)."""
    marker = {"_index": result.get("index"), "_total": total, "_item_var": block.item_var}
    run.add_output(block.id, marker, attempt=0)
    for row in result.get("outputs", []):
        run.add_output(row["block_id"], row["output"], attempt=int(row.get("attempt", 0)))
    if block.retain_iterations is not None:
        compact(run, node, block.retain_iterations - 1)


def _end(run: Run, node: NodeRow, block: Any, ev: Evaluation) -> None:
    if block.item_var in run.inst.context_data:
        run.inst.context_data.pop(block.item_var)
        run.merge_data({})  # mark context.data for the commit
    finish(run, node, ev, Lane.DONE)
