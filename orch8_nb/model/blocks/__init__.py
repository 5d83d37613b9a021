"""Block models: one class per Orch8 block type plus the option objects of ``step``."""

from orch8_nb.model.blocks.base import BlockBase
from orch8_nb.model.blocks.branching import (
    ABSplitDef,
    ParallelDef,
    RaceDef,
    RaceSemantics,
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
from orch8_nb.model.blocks.step_options import (
    DEFAULT_CHOICES,
    CompensationDef,
    CompensationVerification,
    ContextAccess,
    DataFields,
    DeadlineBreachHandler,
    DelaySpec,
    HumanChoice,
    HumanInputDef,
    RetryPolicy,
    SendWindow,
)
from orch8_nb.model.blocks.union import BLOCK_CLASSES, Block

__all__ = [
    "BLOCK_CLASSES",
    "DEFAULT_CHOICES",
    "ABSplitDef",
    "Block",
    "BlockBase",
    "CancellationScopeDef",
    "CompensationDef",
    "CompensationVerification",
    "ContextAccess",
    "DataFields",
    "DeadlineBreachHandler",
    "DelaySpec",
    "ForEachDef",
    "HumanChoice",
    "HumanInputDef",
    "LoopDef",
    "ParallelDef",
    "RaceDef",
    "RaceSemantics",
    "RetryPolicy",
    "Route",
    "RouterDef",
    "SagaDef",
    "SagaStep",
    "SendWindow",
    "StepDef",
    "SubSequenceDef",
    "TryCatchDef",
    "Variant",
]
