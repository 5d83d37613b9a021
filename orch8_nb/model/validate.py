"""Validating loose blocks (dynamic injection) with the same rules and paths as sequences."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from pydantic import ValidationError

from orch8_nb.errors import SequenceValidationError
from orch8_nb.model.blocks import Block
from orch8_nb.model.blocks.union import BLOCK_ADAPTER, BLOCK_LIST_ADAPTER
from orch8_nb.model.paths import problems_from_validation_error
from orch8_nb.model.tree_checks import check_total, check_tree
from orch8_nb.model.walk import iter_block, iter_blocks


def validate_block(
    data: Any, path_prefix: str = "", *, reserved_ids: Collection[str] = ()
) -> Block:
    """One block (a mapping or a block model), checked like a top-level block.

    Paths in the error start with ``path_prefix`` (e.g. ``"blocks[7]"``); ``reserved_ids``
    are ids the block must not reuse (those already in the running tree).
    """
    try:
        block = BLOCK_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise SequenceValidationError(problems_from_validation_error(exc, path_prefix)) from None
    problems, count = check_tree(iter_block(block, path_prefix), reserved_ids=reserved_ids)
    problems += check_total(count, path_prefix)
    if problems:
        raise SequenceValidationError(problems)
    return block


def validate_blocks(
    data: Sequence[Any], path_prefix: str = "blocks", *, reserved_ids: Collection[str] = ()
) -> list[Block]:
    """A list of blocks, checked together (ids unique across the list and ``reserved_ids``)."""
    try:
        blocks = BLOCK_LIST_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise SequenceValidationError(problems_from_validation_error(exc, path_prefix)) from None
    problems, count = check_tree(iter_blocks(blocks, path_prefix), reserved_ids=reserved_ids)
    problems += check_total(count, path_prefix)
    if problems:
        raise SequenceValidationError(problems)
    return blocks
