"""Advances an instance's execution tree as far as it can go without running a handler.

One execution path for every sequence: roots run in order, each block type decides what
its children do (``engine/blocks``), and steps ready to execute are handed back to the
runner. Evaluation is pure in-memory work; the runner commits what it changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orch8_nb.engine.children import ENTRY_KEY, cancel_child
from orch8_nb.engine.run import Run
from orch8_nb.engine.tree import DONE_OK, TERMINAL_NODE_STATES, build_nodes
from orch8_nb.storage.rows import NodeRow

#: Passes per evaluation before assuming a livelock (Orch8 uses the same bound).
MAX_PASSES = 200


@dataclass(slots=True)
class Ready:
    """A step whose handler should run now."""

    node: NodeRow
    block: Any
    attempt: int
    params: Any = None
    """The params as resolved for this attempt (set when it is prepared); its audit row
    keeps them, so the inspector shows what the handler was given."""


@dataclass(slots=True)
class Spawn:
    """A child instance to start: a sub-sequence, or one item of a parallel ``for_each``."""

    node: NodeRow
    block: Any
    index: int | None = None  # the item's index (parallel for_each only)
    item: Any = None


@dataclass(slots=True)
class Evaluation:
    outcome: str | None = None  # completed | failed | cancelled once the roots decide
    ready: list[Ready] = field(default_factory=list)
    waiting: bool = False  # some node waits for a worker, a child or a person
    wake_at: int | None = None  # earliest timer (delay, backoff) that must fire
    changed: bool = False  # a pass changed something; evaluate again
    spawn: list[Spawn] = field(default_factory=list)  # child instances to start

    def wake(self, at: int) -> None:
        self.wake_at = at if self.wake_at is None else min(self.wake_at, at)


def ensure_tree(run: Run) -> None:
    """Create the nodes on the first evaluation (all ``pending``).

    An item instance of a parallel ``for_each`` runs only that block's body.
    """
    if len(run.tree) == 0:
        entry = run.inst.metadata.get(ENTRY_KEY)
        blocks = run.seq.block(entry).body if entry else run.seq.definition.blocks
        run.insert_nodes(build_nodes(run.inst.id, blocks, run.new_id))


def evaluate(run: Run, in_flight: set[str]) -> Evaluation:
    """Run passes until nothing changes; ``in_flight`` holds node ids already executing."""
    ensure_tree(run)
    ev = Evaluation()
    for _ in range(MAX_PASSES):
        ev = Evaluation()
        _pass(run, ev, in_flight)
        if ev.outcome is not None or not ev.changed:
            return ev
    ev.waiting = True  # treat a runaway as waiting rather than spinning
    return ev


def _pass(run: Run, ev: Evaluation, in_flight: set[str]) -> None:
    roots = run.tree.roots
    i = run.root_cursor
    while i < len(roots) and roots[i].state in DONE_OK:
        i += 1  # finished roots never change again: scanning them once keeps this O(1)
    run.root_cursor = i
    if i == len(roots):
        ev.outcome = "completed"
        return
    active = roots[i]
    if active.state == "failed":
        ev.outcome = "failed"
        return
    if active.state == "cancelled":
        ev.outcome = "cancelled"
        return
    if active.state == "pending":
        run.set_node(active, "running")
        ev.changed = True
    advance(run, active, ev, in_flight)


def advance(run: Run, node: NodeRow, ev: Evaluation, in_flight: set[str]) -> None:
    """Let the node's block type act on an active node (the shared block entry point)."""
    from orch8_nb.engine.blocks import REGISTRY

    if node.state in TERMINAL_NODE_STATES:
        return
    REGISTRY[node.block_type](run, node, run.seq.block(node.block_id), ev, in_flight)


def cancel_open_nodes(run: Run) -> None:
    """On a failed or cancelled outcome every node still open is cancelled."""
    for node in run.tree.nodes.values():
        if node.state not in TERMINAL_NODE_STATES:
            cancel_child(run, node)
            run.set_node(node, "cancelled")
