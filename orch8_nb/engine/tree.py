"""The execution tree in memory: one node per block, built once per run.

Nodes carry Orch8's ``branch_index`` as ``orch8_nb.model.walk`` defines it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from orch8_nb.model.walk import child_block_lists
from orch8_nb.storage.rows import NodeRow

TERMINAL_NODE_STATES = frozenset({"completed", "failed", "cancelled", "skipped"})
DONE_OK = frozenset({"completed", "skipped"})


class Tree:
    """Nodes indexed by id, by block id and by parent, in tree order."""

    def __init__(self, nodes: Sequence[NodeRow]) -> None:
        self.nodes: dict[str, NodeRow] = {}
        self.by_block: dict[str, NodeRow] = {}
        self.children: dict[str | None, list[NodeRow]] = {}
        for node in sorted(nodes, key=lambda n: n.position):
            self.add(node)

    def add(self, node: NodeRow) -> None:
        self.nodes[node.id] = node
        self.by_block.setdefault(node.block_id, node)
        self.children.setdefault(node.parent_id, []).append(node)

    @property
    def roots(self) -> list[NodeRow]:
        return self.children.get(None, [])

    def kids(self, node: NodeRow) -> list[NodeRow]:
        return self.children.get(node.id, [])

    def __len__(self) -> int:
        return len(self.nodes)


def build_nodes(
    instance_id: str, blocks: Sequence[Any], new_id: Callable[[], str], start: int = 0
) -> list[NodeRow]:
    """Fresh ``pending`` nodes for ``blocks`` and everything nested in them, in tree order."""
    out: list[NodeRow] = []

    def visit(block: Any, parent: str | None, branch: int | None) -> None:
        node = NodeRow(
            new_id(), instance_id, block.id, parent, block.type, branch, start + len(out), "pending"
        )
        out.append(node)
        for lane in child_block_lists(block):
            for child in lane.blocks:
                visit(child, node.id, lane.branch_index)

    for block in blocks:
        visit(block, None, None)
    return out


def rebuild_nodes(
    instance_id: str,
    blocks: Sequence[Any],
    new_id: Callable[[], str],
    carried: Mapping[str, NodeRow],
) -> list[NodeRow]:
    """Fresh ``pending`` nodes for ``blocks``, except that a block found in ``carried`` (by
    block id) keeps that node's state and times: a tree reshaped (a migration) or copied
    (a fork) without losing what already ran."""
    nodes = build_nodes(instance_id, blocks, new_id)
    for node in nodes:
        old = carried.get(node.block_id)
        if old is not None:
            node.state, node.started_at, node.completed_at = (
                old.state, old.started_at, old.completed_at,
            )  # fmt: skip
    return nodes
