"""Handler calls a runner has started, and the error for a lost lease."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from orch8_nb.engine.dispatch import Outcome
from orch8_nb.engine.evaluator import Ready
from orch8_nb.engine.handlers import StepContext
from orch8_nb.engine.handlers.registry import Handler


class LeaseLost(Exception):
    """A commit lost its compare-and-swap: someone else changed the instance."""


@dataclass(slots=True)
class Call:
    ready: Ready
    handler: Handler
    ctx: StepContext
    timeout: int | None
    cache: str | None
    started: int


@dataclass(slots=True)
class InFlight:
    ready: Ready
    task: asyncio.Task[Outcome]
    cache: str | None
    started: int
