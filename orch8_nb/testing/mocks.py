"""Scripted handlers for tests and contracts: fixed results, failures, per-attempt scripts.

A :class:`MockHandler` is a plain handler (register it with ``engine.handler(name)(mock)``
or :func:`install`) that records every call, so tests can assert call counts and the
params each attempt received.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orch8_nb.engine.handlers import FailStep, RetryStep, StepContext


@dataclass(frozen=True, slots=True)
class Success:
    """Return ``output``."""

    output: Any = None


@dataclass(frozen=True, slots=True)
class Failure:
    """Fail with ``message``; ``retryable`` picks a retryable or a permanent failure."""

    message: str = "mock failure"
    retryable: bool = True
    details: Any = None
    code: str | None = None


Outcome = Success | Failure


@dataclass(frozen=True, slots=True)
class Call:
    """One recorded invocation."""

    instance_id: str
    block_id: str
    attempt: int
    params: Any


@dataclass
class MockHandler:
    """A handler whose results are scripted.

    ``script`` gives the outcome of each successive call *per block* (attempt 0, 1, ...);
    once it is used up, ``default`` answers. ``calls`` records every call, in order.
    """

    name: str
    default: Outcome = field(default_factory=Success)
    script: Sequence[Outcome] = ()
    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, ctx: StepContext) -> Any:
        with self._lock:
            seen = sum(1 for c in self.calls if c.instance_id == ctx.instance_id
                       and c.block_id == ctx.block_id)  # fmt: skip
            self.calls.append(Call(ctx.instance_id, ctx.block_id, ctx.attempt, ctx.params))
        outcome = self.script[seen] if seen < len(self.script) else self.default
        if isinstance(outcome, Failure):
            if outcome.retryable:
                raise RetryStep(outcome.message, details=outcome.details, code=outcome.code)
            raise FailStep(outcome.message, details=outcome.details, code=outcome.code)
        return outcome.output

    @property
    def call_count(self) -> int:
        return len(self.calls)

    def calls_for(self, block_id: str) -> list[Call]:
        return [c for c in self.calls if c.block_id == block_id]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()


def succeed(name: str, output: Any = None) -> MockHandler:
    """A handler that always returns ``output``."""
    return MockHandler(name, default=Success(output))


def fail(name: str, message: str = "mock failure", *, retryable: bool = True) -> MockHandler:
    """A handler that always fails."""
    return MockHandler(name, default=Failure(message, retryable))


def scripted(name: str, outcomes: Iterable[Outcome], then: Outcome | None = None) -> MockHandler:
    """A handler answering each attempt with the next outcome, then ``then`` (or the last)."""
    script = list(outcomes)
    default = then if then is not None else (script[-1] if script else Success())
    return MockHandler(name, default=default, script=script)


def install(engine: Any, mocks: Mapping[str, MockHandler] | Iterable[MockHandler]) -> None:
    """Register mocks on an ``Engine`` or ``AsyncEngine`` (replacing same-named handlers)."""
    items = mocks.values() if isinstance(mocks, Mapping) else mocks
    for mock in items:
        engine.handler(mock.name)(mock)
