"""Blocks that choose or fan out between branches: parallel, race, router, ab_split."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, Self

from pydantic import Field, model_validator

from orch8_nb.errors import Problem
from orch8_nb.model._base import DefinitionModel, reject_all
from orch8_nb.model._types import NonEmptyText
from orch8_nb.model.block_type import BlockType
from orch8_nb.model.blocks.base import BlockBase
from orch8_nb.model.limits import MAX_BRANCHES, MAX_U32, MIN_AB_VARIANTS, MIN_BRANCHES

if TYPE_CHECKING:
    from orch8_nb.model.blocks.union import Block

_BRANCHES = "Branches run concurrently; each is a list of blocks run in order."


class ParallelDef(BlockBase):
    """Runs every branch concurrently; fails if any branch fails."""

    block_type = BlockType.PARALLEL
    type: Literal["parallel"] = Field("parallel", description="Block type tag.")
    branches: list[list[Block]] = Field(
        min_length=MIN_BRANCHES, max_length=MAX_BRANCHES, description=_BRANCHES
    )


class RaceSemantics(StrEnum):
    """What makes a race branch the winner."""

    FIRST_TO_RESOLVE = "first_to_resolve"  # first branch to finish; a failure fails the race
    FIRST_TO_SUCCEED = "first_to_succeed"  # failures are dropped; fails only if all fail


class RaceDef(BlockBase):
    """Runs branches concurrently; the first to finish wins and the others are cancelled."""

    block_type = BlockType.RACE
    type: Literal["race"] = Field("race", description="Block type tag.")
    branches: list[list[Block]] = Field(
        min_length=MIN_BRANCHES, max_length=MAX_BRANCHES, description=_BRANCHES
    )
    semantics: RaceSemantics = Field(
        RaceSemantics.FIRST_TO_RESOLVE,
        description="first_to_resolve: first finished branch decides; first_to_succeed: "
        "first successful branch wins.",
    )


class Route(DefinitionModel):
    """One arm of a router: its blocks run when the condition is the first truthy one."""

    condition: NonEmptyText = Field(description="Expression, e.g. context.data.plan == 'pro'.")
    blocks: list[Block] = Field(description="Blocks run in order when this route is chosen.")


class RouterDef(BlockBase):
    """Runs the first route whose condition is truthy, else ``default``; others are skipped."""

    block_type = BlockType.ROUTER
    type: Literal["router"] = Field("router", description="Block type tag.")
    routes: list[Route] = Field(description="Routes, tried in order.")
    default: list[Block] | None = Field(
        None, description="Blocks run when no route matches; none means just complete."
    )

    @model_validator(mode="after")
    def _has_a_way(self) -> Self:
        if not self.routes and self.default is None:
            reject_all([Problem("routes", "router needs at least one route or a default")])
        return self


class Variant(DefinitionModel):
    """One arm of an A/B split."""

    name: NonEmptyText = Field(description="Variant name, unique within the split.")
    weight: Annotated[int, Field(ge=0, le=MAX_U32, strict=True)] = Field(
        description="Relative weight (70 and 30 give 70% / 30%)."
    )
    blocks: list[Block] = Field(description="Blocks run when this variant is chosen.")


class ABSplitDef(BlockBase):
    """Picks one variant per instance, deterministically by weight; the others are skipped."""

    block_type = BlockType.AB_SPLIT
    type: Literal["ab_split"] = Field("ab_split", description="Block type tag.")
    variants: list[Variant] = Field(
        min_length=MIN_AB_VARIANTS, description="At least two weighted variants."
    )

    @model_validator(mode="after")
    def _names_and_weights(self) -> Self:
        found: list[Problem] = []
        seen: set[str] = set()
        for index, variant in enumerate(self.variants):
            if variant.name in seen:
                found.append(
                    Problem(f"variants[{index}].name", f"duplicate variant name {variant.name!r}")
                )
            seen.add(variant.name)
        if sum(v.weight for v in self.variants) <= 0:
            found.append(Problem("variants", "total weight of the variants must be > 0"))
        reject_all(found)
        return self


__all__ = [
    "ABSplitDef",
    "ParallelDef",
    "RaceDef",
    "RaceSemantics",
    "Route",
    "RouterDef",
    "Variant",
]
