"""Planning a move to another sequence version: pure, from an instance's tree.

Blocks are matched by id. A block kept by the target keeps its node state (so completed
blocks never run again and the *cursor*, the blocks running or waiting now, stays where it
is); a block the target adds runs when the instance gets there, unless the instance has
already passed that point, in which case it is marked ``skipped``; a block the target
removes keeps its outputs as history. An instance is refused, with the reason, when it
cannot move safely: it is finished or running, already on the target, or its cursor is
inside a removed block or a block whose type changed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from orch8_nb.engine.compiled import CompiledSequence
from orch8_nb.engine.migration.transform import TransformOp, apply_transform
from orch8_nb.engine.tree import rebuild_nodes
from orch8_nb.storage.rows import InstanceRow, NodeRow

ACTIVE = ("running", "waiting")
FINISHED = ("completed", "failed", "cancelled", "skipped")
#: States an instance can move in: nobody runs it, and it is not finished.
MOVABLE = ("scheduled", "waiting", "paused")


@dataclass(slots=True)
class InstanceMigration:
    """What moving one instance would do (or why it cannot move)."""

    instance_id: str
    state: str
    from_version: int | None
    to_version: int | None
    reason: str | None = None  # set when the instance cannot move
    cursor: list[str] = field(default_factory=list)  # blocks running or waiting now
    kept: list[str] = field(default_factory=list)  # finished blocks found in the target
    added: list[str] = field(default_factory=list)  # new blocks that will run
    skipped: list[str] = field(default_factory=list)  # new blocks the instance has passed
    removed: list[str] = field(default_factory=list)  # blocks the target no longer has
    changed: list[str] = field(default_factory=list)  # kept blocks whose definition changed
    data: dict[str, Any] | None = None  # context.data after the state transform

    @property
    def can_move(self) -> bool:
        return self.reason is None


def plan_instance(
    row: InstanceRow,
    nodes: list[NodeRow],
    source: CompiledSequence,
    target: CompiledSequence,
    ops: list[TransformOp],
) -> InstanceMigration:
    item = InstanceMigration(
        row.id, row.state, source.definition.version, target.definition.version
    )
    item.reason = _refusal(row, source, target)
    old = {n.block_id: n for n in nodes}
    item.cursor = [n.block_id for n in nodes if n.state in ACTIVE]
    new_ids = set(target.blocks_by_id)
    item.removed = [b for b in source.blocks_by_id if b not in new_ids]
    item.changed = sorted(
        b for b in source.blocks_by_id
        if b in new_ids and _own(source.block(b)) != _own(target.block(b))
    )  # fmt: skip
    item.kept = [n.block_id for n in nodes if n.block_id in new_ids and n.state not in ACTIVE
                 and n.state != "pending"]  # fmt: skip
    for block_id in item.cursor:
        if block_id not in new_ids:
            item.reason = (
                item.reason
                or f"block {block_id!r} is {old[block_id].state} and the target removes it"
            )
        elif old[block_id].block_type != target.block(block_id).type:
            item.reason = item.reason or (
                f"block {block_id!r} is {old[block_id].state} and the target changes its type "
                f"from {old[block_id].block_type} to {target.block(block_id).type}"
            )
    if item.reason is None and nodes:
        numbers = itertools.count()  # preview ids: the tree is not stored
        tree, item.skipped = migrated_tree(row.id, nodes, target, lambda: f"n{next(numbers)}")
        item.added = [
            n.block_id for n in tree if n.block_id not in old and n.block_id not in item.skipped
        ]
    elif not nodes:
        item.added = list(target.blocks_by_id)
    if item.reason is None and ops:
        try:
            item.data = apply_transform(row.context_data, ops)
        except KeyError as exc:
            item.reason = str(exc.args[0])
    return item


def _refusal(row: InstanceRow, source: CompiledSequence, target: CompiledSequence) -> str | None:
    if row.state not in MOVABLE:
        if row.state == "running":
            return "running: it can move once it waits, sleeps on a timer or is paused"
        return f"{row.state}: a finished instance stays on its version"
    if source.id == target.id:
        return "already on the target version"
    if (row.tenant_id, row.namespace) != (
        target.definition.tenant_id, target.definition.namespace,
    ):  # fmt: skip
        return "the target belongs to another tenant or namespace"
    if row.metadata.get("_entry_block"):
        return "an item of a parallel for_each: it moves with its parent"
    if row.metadata.get("_injected_blocks"):
        return "blocks were injected into it: it stays on its version"
    return None


def migrated_tree(
    instance_id: str, nodes: list[NodeRow], target: CompiledSequence, new_id: Any
) -> tuple[list[NodeRow], list[str]]:
    """The target's tree with the states of matching blocks carried over; returns it and
    the ids of the new blocks marked ``skipped`` because the instance is past them."""
    old = {n.block_id: n for n in nodes}
    tree = rebuild_nodes(instance_id, target.definition.blocks, new_id, old)
    ends = _subtree_ends(tree)
    by_id = {n.id: n for n in tree}
    kids: dict[str, list[NodeRow]] = {}
    for node in tree:
        if node.parent_id is not None:
            kids.setdefault(node.parent_id, []).append(node)
    for node in reversed(tree):  # a new composite around carried-over work is under way
        busy = [k for k in kids.get(node.id, []) if k.state != "pending"]
        if node.block_id not in old and node.state == "pending" and busy:
            node.state = "running"
            node.started_at = min((k.started_at for k in busy if k.started_at), default=None)
    last = max((i for i, n in enumerate(tree) if n.state != "pending"), default=-1)
    skipped: list[str] = []
    for i, node in enumerate(tree):
        if node.block_id in old or node.state != "pending":
            continue
        parent = by_id.get(node.parent_id) if node.parent_id is not None else None
        if parent is not None and parent.state == "skipped":
            node.state = "skipped"  # inside a block that is skipped already
        elif ends[i] < last or (parent is not None and parent.state in FINISHED):
            node.state = "skipped"  # the instance is past this point
            skipped.append(node.block_id)
    return tree, skipped


def _subtree_ends(tree: list[NodeRow]) -> list[int]:
    """For each node (tree order), the index of the last node of its subtree."""
    index = {n.id: i for i, n in enumerate(tree)}
    ends = list(range(len(tree)))
    for i in range(len(tree) - 1, -1, -1):
        parent = tree[i].parent_id
        if parent is not None:
            p = index[parent]
            ends[p] = max(ends[p], ends[i])
    return ends


def _own(block: Any) -> Any:
    """A block's definition without its children (so a change inside is not its change)."""
    return _strip(block.model_dump(mode="json", exclude_none=True))


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not _is_blocks(v)}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _is_blocks(value: Any) -> bool:
    """A block, or a list of blocks."""
    if isinstance(value, dict):
        return "type" in value and "id" in value
    return isinstance(value, list) and bool(value) and all(_is_blocks(v) for v in value)
