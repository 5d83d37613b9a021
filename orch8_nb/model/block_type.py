"""The eleven Orch8 block types, in one place so paths, walkers and renderers agree."""

from __future__ import annotations

from enum import StrEnum


class BlockType(StrEnum):
    """The ``type`` tag of a block in sequence JSON (also ``block_type`` of tree nodes)."""

    STEP = "step"  # leaf: calls a handler
    PARALLEL = "parallel"  # branches run concurrently
    RACE = "race"  # first branch to finish wins
    LOOP = "loop"  # while-loop over a body
    FOR_EACH = "for_each"  # body once per collection item
    ROUTER = "router"  # first truthy route wins
    TRY_CATCH = "try_catch"  # try / catch / finally lanes
    SUB_SEQUENCE = "sub_sequence"  # runs another sequence as a child instance
    AB_SPLIT = "ab_split"  # deterministic weighted variant
    CANCELLATION_SCOPE = "cancellation_scope"  # children shielded from external cancel
    SAGA = "saga"  # actions with compensations run in reverse on failure


BLOCK_TYPE_NAMES: frozenset[str] = frozenset(t.value for t in BlockType)
