"""Checks that need the whole tree: unique ids, nesting depth, total size.

Per-block rules (non-empty fields, ranges, backoff order...) live on the models
themselves; these run once the tree has parsed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from orch8_nb.errors import Problem
from orch8_nb.model.blocks import SagaDef
from orch8_nb.model.limits import MAX_NESTING_DEPTH, MAX_TOTAL_BLOCKS
from orch8_nb.model.walk import BlockRef


def check_tree(
    refs: Iterable[BlockRef], *, reserved_ids: Collection[str] = ()
) -> tuple[list[Problem], int]:
    """Problems of one id namespace (a main or cleanup tree) and its block count.

    ``reserved_ids`` are ids already taken elsewhere (blocks injected into a running tree).
    """
    found: list[Problem] = []
    first_seen: dict[str, str] = {}
    count = 0

    def claim(block_id: str, path: str) -> None:
        if block_id in first_seen:
            found.append(
                Problem(
                    path, f"duplicate block id {block_id!r} (first used at {first_seen[block_id]})"
                )
            )
        elif block_id in reserved_ids:
            found.append(Problem(path, f"block id {block_id!r} is already used in the sequence"))
        else:
            first_seen[block_id] = path

    for ref in refs:
        count += 1
        claim(ref.block.id, _join(ref.path, "id"))
        if isinstance(ref.block, SagaDef):
            for index, step in enumerate(ref.block.steps):
                claim(step.id, _join(ref.path, f"steps[{index}].id"))
        if ref.depth == MAX_NESTING_DEPTH:
            # Reported once, at the first level past the limit, not for every descendant.
            found.append(
                Problem(ref.path, f"blocks are nested more than {MAX_NESTING_DEPTH} levels deep")
            )
    return found, count


def check_total(count: int, path: str = "blocks") -> list[Problem]:
    """The block-count limit over the main tree and cleanup trees together."""
    if count > MAX_TOTAL_BLOCKS:
        return [
            Problem(
                path,
                f"sequence has {count} blocks (including on_failure/on_cancel); "
                f"the limit is {MAX_TOTAL_BLOCKS}",
            )
        ]
    return []


def _join(path: str, field: str) -> str:
    return f"{path}.{field}" if path else field
