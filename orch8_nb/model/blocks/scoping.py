"""Blocks that scope their children: try_catch, cancellation_scope, saga, sub_sequence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from orch8_nb.model._base import DefinitionModel
from orch8_nb.model._types import NonEmptyText, PositiveInt
from orch8_nb.model.block_type import BlockType
from orch8_nb.model.blocks.base import BlockBase

if TYPE_CHECKING:
    from orch8_nb.model.blocks.union import Block


class TryCatchDef(BlockBase):
    """Runs try; on failure runs catch with context.data._error set; finally always runs."""

    block_type = BlockType.TRY_CATCH
    type: Literal["try_catch"] = Field("try_catch", description="Block type tag.")
    try_block: list[Block] = Field(min_length=1, description="Blocks attempted in order.")
    catch_block: list[Block] = Field(
        description="Blocks run when try fails; an empty list swallows the error."
    )
    finally_block: list[Block] | None = Field(
        None, description="Blocks that always run last; protected from cancellation."
    )


class CancellationScopeDef(BlockBase):
    """Children run in order and an external cancel waits until they finish."""

    block_type = BlockType.CANCELLATION_SCOPE
    type: Literal["cancellation_scope"] = Field("cancellation_scope", description="Block type tag.")
    blocks: list[Block] = Field(min_length=1, description="Blocks shielded from cancel.")


class SagaStep(DefinitionModel):
    """One saga step: an action, and how to undo it if a later step fails."""

    id: NonEmptyText = Field(description="Step id, unique among all block ids.")
    action: Block = Field(description="Block that does the work.")
    compensation: Block | None = Field(
        None, description="Block that undoes the action; run in reverse order on failure."
    )


class SagaDef(BlockBase):
    """Runs actions in order; on failure compensates completed steps in reverse, then fails."""

    block_type = BlockType.SAGA
    type: Literal["saga"] = Field("saga", description="Block type tag.")
    steps: list[SagaStep] = Field(description="Steps run in order.")


class SubSequenceDef(BlockBase):
    """Starts another sequence as a child instance and waits for it."""

    block_type = BlockType.SUB_SEQUENCE
    type: Literal["sub_sequence"] = Field("sub_sequence", description="Block type tag.")
    sequence_name: NonEmptyText = Field(description="Name of the sequence to run.")
    version: PositiveInt | None = Field(
        None, description="Version to run; omitted means the latest non-deprecated one."
    )
    input: Any = Field(
        None, description="The child's context.data; {{ }} templates are resolved first."
    )
