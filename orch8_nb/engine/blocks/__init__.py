"""Block types: one module each, one signature, one registry.

Every implementation is ``advance(run, node, block, ev, in_flight) -> None``: called while
the node is active, it inspects and moves its own node (and its children), reports steps
ready to execute in ``ev.ready`` and timers in ``ev.wake``.
"""

from __future__ import annotations

from collections.abc import Callable

from orch8_nb.engine.blocks import (
    ab_split,
    cancellation_scope,
    for_each,
    loop,
    parallel,
    race,
    router,
    saga,
    step,
    sub_sequence,
    try_catch,
)

BlockAdvance = Callable[..., None]

REGISTRY: dict[str, BlockAdvance] = {
    "step": step.advance,
    "parallel": parallel.advance,
    "race": race.advance,
    "loop": loop.advance,
    "for_each": for_each.advance,
    "router": router.advance,
    "try_catch": try_catch.advance,
    "ab_split": ab_split.advance,
    "cancellation_scope": cancellation_scope.advance,
    "saga": saga.advance,
    "sub_sequence": sub_sequence.advance,
}

#: Block types this engine executes; sequences using others are refused at registration.
SUPPORTED: frozenset[str] = frozenset(REGISTRY)


__all__ = ["REGISTRY", "SUPPORTED", "BlockAdvance"]
