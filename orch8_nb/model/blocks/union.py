"""The ``Block`` union, discriminated on ``type``, and the registry of block classes."""

from __future__ import annotations

from typing import Annotated, TypeAlias

from pydantic import BaseModel, Field, TypeAdapter

from orch8_nb.model.block_type import BlockType
from orch8_nb.model.blocks.base import BlockBase
from orch8_nb.model.blocks.branching import (
    ABSplitDef,
    ParallelDef,
    RaceDef,
    Route,
    RouterDef,
    Variant,
)
from orch8_nb.model.blocks.iteration import ForEachDef, LoopDef
from orch8_nb.model.blocks.scoping import (
    CancellationScopeDef,
    SagaDef,
    SagaStep,
    SubSequenceDef,
    TryCatchDef,
)
from orch8_nb.model.blocks.step import StepDef

Block: TypeAlias = Annotated[
    StepDef
    | ParallelDef
    | RaceDef
    | LoopDef
    | ForEachDef
    | RouterDef
    | TryCatchDef
    | SubSequenceDef
    | ABSplitDef
    | CancellationScopeDef
    | SagaDef,
    Field(discriminator="type"),
]
"""Any block; narrow with ``isinstance`` or ``match`` on the classes, or look at ``.type``."""

BLOCK_CLASSES: dict[BlockType, type[BlockBase]] = {
    cls.block_type: cls
    for cls in (
        StepDef,
        ParallelDef,
        RaceDef,
        LoopDef,
        ForEachDef,
        RouterDef,
        TryCatchDef,
        SubSequenceDef,
        ABSplitDef,
        CancellationScopeDef,
        SagaDef,
    )
}

_RECURSIVE: tuple[type[BaseModel], ...] = (
    ParallelDef,
    RaceDef,
    Route,
    RouterDef,
    Variant,
    LoopDef,
    ForEachDef,
    TryCatchDef,
    CancellationScopeDef,
    SagaStep,
    SagaDef,
)
for _model in _RECURSIVE:
    _model.model_rebuild(_types_namespace={"Block": Block})

BLOCK_ADAPTER: TypeAdapter[Block] = TypeAdapter(Block)
BLOCK_LIST_ADAPTER: TypeAdapter[list[Block]] = TypeAdapter(list[Block])
