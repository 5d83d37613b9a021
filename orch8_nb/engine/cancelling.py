"""Scoped cancel: what a ``cancel`` may interrupt, and when it may take effect.

Protected from a cancel: a ``cancellable: false`` step, everything inside a running
``cancellation_scope``, and a ``finally`` lane once it has begun. A cancel interrupts
everything else at once and waits for protected work to drain before the instance is
cancelled.
"""

from __future__ import annotations

from orch8_nb.engine.run import Run
from orch8_nb.storage.rows import NodeRow

FINALLY_LANE = 2
#: Instance metadata key of a cancel waiting for protected work to drain.
CANCEL_MARKER = "_cancel_requested"


def protected(run: Run, node: NodeRow) -> bool:
    """A node that must not be cut short by a cancel."""
    block = run.seq.block(node.block_id)
    if block.type == "step" and block.cancellable is False:
        return True
    child, parent_id = node, node.parent_id
    while parent_id is not None:
        parent = run.tree.nodes[parent_id]
        if parent.block_type == "cancellation_scope":
            return True
        if parent.block_type == "try_catch" and child.branch_index == FINALLY_LANE:
            return True
        child, parent_id = parent, parent.parent_id
    return False


def protected_work_left(run: Run) -> bool:
    """True while a protected step runs or waits, a scope runs, or a finally has begun."""
    for node in run.tree.nodes.values():
        if node.state not in ("running", "waiting"):
            continue
        if node.block_type == "cancellation_scope" or _finally_begun(run, node):
            return True
        if node.block_type == "step" and protected(run, node):
            return True
    return False


def _finally_begun(run: Run, node: NodeRow) -> bool:
    if node.block_type != "try_catch":
        return False
    return any(c.branch_index == FINALLY_LANE and c.state != "pending" for c in run.tree.kids(node))
