"""Shared moves of composite blocks: lanes of children, and whole subtrees at once.

A *lane* is one ordered list of a composite's children (a parallel branch, a route, the
try/catch/finally parts, a loop body...). Children of a lane run one after another.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import TYPE_CHECKING

from orch8_nb.engine.children import cancel_child
from orch8_nb.engine.tree import DONE_OK, TERMINAL_NODE_STATES
from orch8_nb.storage.rows import NodeRow, OutputPrune

if TYPE_CHECKING:
    from orch8_nb.engine.evaluator import Evaluation
    from orch8_nb.engine.run import Run


#: Instance-metadata keys ``<prefix><block_id>`` that hold a block's per-run state.
MARKER_PREFIXES = (
    "_delay_until:", "_route:", "_phase:", "_loop:", "_poll:", "_each:", "_gate:", "_child:",
    "_each_live:", "_breaker_wait:", "_rate_wait:", "_approval_request:", "_approval:",
)  # fmt: skip


class Lane(Enum):
    DONE = "done"  # every child completed or skipped
    FAILED = "failed"
    CANCELLED = "cancelled"
    ACTIVE = "active"  # still moving (or waiting)


def lanes(run: Run, node: NodeRow) -> dict[int | None, list[NodeRow]]:
    """The node's children grouped by ``branch_index``, each lane in tree order."""
    grouped: dict[int | None, list[NodeRow]] = {}
    for child in run.tree.kids(node):
        grouped.setdefault(child.branch_index, []).append(child)
    return grouped


def advance_lane(run: Run, children: list[NodeRow], ev: Evaluation, in_flight: set[str]) -> Lane:
    """Move a sequential lane: activate its first unfinished child and let it act."""
    from orch8_nb.engine.evaluator import advance

    for child in children:
        if child.state in DONE_OK:
            continue
        if child.state == "failed":
            return Lane.FAILED
        if child.state == "cancelled":
            return Lane.CANCELLED
        if child.state == "pending":
            run.set_node(child, "running")
            ev.changed = True
        advance(run, child, ev, in_flight)
        if child.state == "failed":
            return Lane.FAILED
        return Lane.DONE if child.state in DONE_OK and child is children[-1] else Lane.ACTIVE
    return Lane.DONE


def descendants(run: Run, node: NodeRow) -> Iterator[NodeRow]:
    stack = list(reversed(run.tree.kids(node)))
    while stack:
        child = stack.pop()
        yield child
        stack.extend(reversed(run.tree.kids(child)))


def close(run: Run, nodes: list[NodeRow], state: str) -> None:
    """Set every unfinished node of ``nodes`` and their subtrees to ``state``."""
    for node in nodes:
        for each in (node, *descendants(run, node)):
            if each.state == "waiting" and each.block_type == "step":
                run.pending.tasks_drop_blocks.append(each.block_id)  # out with a worker
            cancel_child(run, each)
            if each.state not in TERMINAL_NODE_STATES:
                run.set_node(each, state)


def reset(run: Run, nodes: list[NodeRow]) -> None:
    """Make ``nodes`` and their subtrees runnable again (a loop's next iteration).

    Their earlier outputs stay (append-only history); per-run markers kept in metadata
    (served delays, router choices, ...) are forgotten, so every iteration decides anew.
    """
    for node in nodes:
        for each in (node, *descendants(run, node)):
            run.set_node(each, "pending")
            for prefix in MARKER_PREFIXES:
                key = f"{prefix}{each.block_id}"
                if key in run.inst.metadata:
                    del run.inst.metadata[key]
                    run.mark_metadata()


def compact(run: Run, node: NodeRow, skip: int) -> None:
    """``retain_iterations``: drop the stored outputs of iterations older than the last N.

    ``skip`` says which of the block's own marker rows (newest first) is the oldest to
    keep; rows of the block and its body written before it are deleted with the commit.
    """
    blocks = sorted({node.block_id, *(d.block_id for d in descendants(run, node))})
    run.pending.outputs_prune.append(OutputPrune(node.block_id, skip, blocks))


def all_pending(children: list[NodeRow]) -> bool:
    return all(c.state == "pending" for c in children)


def finish(run: Run, node: NodeRow, ev: Evaluation, result: Lane) -> None:
    """End a single-lane composite the way its lane ended."""
    if result is Lane.DONE:
        run.set_node(node, "completed")
    elif result is Lane.FAILED:
        run.set_node(node, "failed")
    elif result is Lane.CANCELLED:
        run.set_node(node, "cancelled")
    else:
        return
    ev.changed = True
