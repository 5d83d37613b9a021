"""What an expression can see: the instance context, block outputs, KV state, ids, clocks.

The engine builds one :class:`Scope` per step, so construction must stay cheap: defaults
share one empty read-only mapping instead of allocating fresh dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    return _EMPTY


@dataclass(frozen=True, slots=True)
class Scope:
    """Read-only inputs of one evaluation.

    Non-deterministic functions (``now()``, ``random()``, ``uuid()``) call the injected
    callables, so the engine decides where time and randomness come from (virtual clocks,
    replayable ids); when a callable is ``None`` the function raises ``ExpressionError``.
    """

    data: Mapping[str, Any] = field(default_factory=_empty)
    """``context.data``; also the root of bare paths in expressions."""
    config: Mapping[str, Any] = field(default_factory=_empty)
    """``context.config`` (read-only after instance creation)."""
    audit: Sequence[Any] = ()
    """``context.audit`` (caller-supplied audit entries)."""
    runtime: Mapping[str, Any] = field(default_factory=_empty)
    """``context.runtime`` (engine-owned: current_step, attempt, ...)."""
    outputs: Mapping[str, Any] = field(default_factory=_empty)
    """Block id -> latest real output of that block (``outputs.<id>`` / ``steps.<id>``)."""
    state: Mapping[str, Any] = field(default_factory=_empty)
    """The instance key-value state (``state.<key>``)."""
    instance_id: str = ""
    """The instance id (``instance_id``)."""
    now_ms: Callable[[], int] | None = None
    """Clock for ``now()``: epoch milliseconds."""
    random: Callable[[], float] | None = None
    """Source for ``random()``: a float in [0, 1)."""
    uuid: Callable[[], str] | None = None
    """Source for ``uuid()``: a UUID string."""
