"""Walking a block tree: every block with its path, parent, depth and branch index.

``branch_index`` follows Orch8's execution tree: parallel/race branch i -> i; router
route i -> i and ``default`` -> len(routes); try_catch try 0, catch 1, finally 2;
ab_split variant i -> i; saga step i: action 2i, compensation 2i+1; the children of
loop, for_each and cancellation_scope, and top-level blocks -> None.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from orch8_nb.model.blocks import (
    ABSplitDef,
    Block,
    CancellationScopeDef,
    ForEachDef,
    LoopDef,
    ParallelDef,
    RaceDef,
    RouterDef,
    SagaDef,
    TryCatchDef,
)


@dataclass(frozen=True, slots=True)
class ChildList:
    """One ordered list of children of a composite block."""

    field: str
    """Path of the list relative to the parent: ``branches[1]``, ``steps[0].action``."""
    blocks: Sequence[Block]
    branch_index: int | None
    single: bool = False
    """True for a saga action/compensation: one block whose path is ``field`` itself."""

    def child_path(self, parent_path: str, index: int) -> str:
        """Path of ``blocks[index]`` when the parent block sits at ``parent_path``."""
        base = f"{parent_path}.{self.field}" if parent_path else self.field
        return base if self.single else f"{base}[{index}]"


@dataclass(frozen=True, slots=True)
class BlockRef:
    """A block found by :func:`iter_blocks` and where it sits."""

    path: str
    block: Block
    parent: Block | None
    depth: int
    """0 for top-level blocks, parent depth + 1 below."""
    branch_index: int | None


def child_block_lists(block: Block) -> list[ChildList]:
    """The child lists of ``block`` in document order (empty for step and sub_sequence)."""
    if isinstance(block, ParallelDef | RaceDef):
        return [ChildList(f"branches[{i}]", b, i) for i, b in enumerate(block.branches)]
    if isinstance(block, LoopDef | ForEachDef):
        return [ChildList("body", block.body, None)]
    if isinstance(block, RouterDef):
        lists = [ChildList(f"routes[{i}].blocks", r.blocks, i) for i, r in enumerate(block.routes)]
        if block.default is not None:
            lists.append(ChildList("default", block.default, len(block.routes)))
        return lists
    if isinstance(block, TryCatchDef):
        lists = [ChildList("try_block", block.try_block, 0)]
        lists.append(ChildList("catch_block", block.catch_block, 1))
        if block.finally_block is not None:
            lists.append(ChildList("finally_block", block.finally_block, 2))
        return lists
    if isinstance(block, ABSplitDef):
        return [
            ChildList(f"variants[{i}].blocks", v.blocks, i) for i, v in enumerate(block.variants)
        ]
    if isinstance(block, CancellationScopeDef):
        return [ChildList("blocks", block.blocks, None)]
    if isinstance(block, SagaDef):
        return _saga_lists(block)
    return []


def _saga_lists(block: SagaDef) -> list[ChildList]:
    lists: list[ChildList] = []
    for i, step in enumerate(block.steps):
        lists.append(ChildList(f"steps[{i}].action", (step.action,), 2 * i, single=True))
        if step.compensation is not None:
            lists.append(
                ChildList(f"steps[{i}].compensation", (step.compensation,), 2 * i + 1, single=True)
            )
    return lists


def iter_blocks(
    blocks: Sequence[Block],
    prefix: str = "blocks",
    *,
    depth: int = 0,
    parent: Block | None = None,
    branch_index: int | None = None,
) -> Iterator[BlockRef]:
    """Every block under ``blocks``, depth-first in document order (parents first)."""
    roots = [
        BlockRef(f"{prefix}[{i}]", block, parent, depth, branch_index)
        for i, block in enumerate(blocks)
    ]
    return _walk(roots)


def iter_block(block: Block, path: str = "", *, depth: int = 0) -> Iterator[BlockRef]:
    """Like :func:`iter_blocks` for one root block sitting at ``path``."""
    return _walk([BlockRef(path, block, None, depth, None)])


def _walk(roots: list[BlockRef]) -> Iterator[BlockRef]:
    # Iterative, so a deep (even invalid) tree cannot hit Python's recursion limit.
    stack = roots[::-1]
    while stack:
        ref = stack.pop()
        yield ref
        children: list[BlockRef] = []
        for child_list in child_block_lists(ref.block):
            for i, child in enumerate(child_list.blocks):
                path = child_list.child_path(ref.path, i)
                children.append(
                    BlockRef(path, child, ref.block, ref.depth + 1, child_list.branch_index)
                )
        stack.extend(reversed(children))
