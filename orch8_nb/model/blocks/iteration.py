"""Blocks that repeat a body: loop and for_each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from orch8_nb.model._types import NonEmptyText, StrictBoolean, StrictText
from orch8_nb.model.block_type import BlockType
from orch8_nb.model.blocks.base import BlockBase
from orch8_nb.model.durations import DurationSeconds
from orch8_nb.model.limits import DEFAULT_MAX_ITERATIONS, MAX_ITERATIONS, MAX_U32, MIN_ITERATIONS

if TYPE_CHECKING:
    from orch8_nb.model.blocks.union import Block

Iterations = Annotated[int, Field(ge=MIN_ITERATIONS, le=MAX_ITERATIONS, strict=True)]
Retained = Annotated[int, Field(ge=0, le=MAX_U32, strict=True)]


class LoopDef(BlockBase):
    """While-loop: the condition is checked before each pass over the body."""

    block_type = BlockType.LOOP
    type: Literal["loop"] = Field("loop", description="Block type tag.")
    condition: NonEmptyText = Field(description="Expression checked before each iteration.")
    body: list[Block] = Field(min_length=1, description="Blocks run in order each iteration.")
    max_iterations: Iterations = Field(
        DEFAULT_MAX_ITERATIONS, description="Stop after this many iterations (1-100000)."
    )
    break_on: StrictText | None = Field(
        None, description="Expression checked after each pass; truthy ends the loop."
    )
    continue_on_error: StrictBoolean = Field(
        False, description="Keep looping when the body fails instead of failing the loop."
    )
    poll_interval: DurationSeconds | None = Field(
        None,
        description="Seconds (not ms: an Orch8 quirk) to wait before the next iteration.",
    )
    retain_iterations: Retained | None = Field(
        None, description="Keep outputs of only the last N iterations."
    )


class ForEachDef(BlockBase):
    """Runs the body once per item of a collection, binding the item in context.data."""

    block_type = BlockType.FOR_EACH
    type: Literal["for_each"] = Field("for_each", description="Block type tag.")
    collection: NonEmptyText = Field(
        description="Expression or path to an array, e.g. context.data.items."
    )
    item_var: NonEmptyText = Field(
        "item", description="context.data key bound to the current item."
    )
    body: list[Block] = Field(min_length=1, description="Blocks run in order for each item.")
    max_iterations: Iterations = Field(
        DEFAULT_MAX_ITERATIONS, description="Process at most this many items (1-100000)."
    )
    retain_iterations: Retained | None = Field(
        None, description="Keep outputs of only the last N iterations."
    )
    max_parallel: Annotated[int, Field(ge=1, strict=True)] | None = Field(
        None,
        description="orch8-nb extension: run up to this many items at once "
        "(omitted: one at a time, as in Orch8).",
    )
