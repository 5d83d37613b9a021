"""The handlers a case installs: one router per handler name the sequence uses.

A router answers each call from the mock of its block, else the mock of its handler, else
the real built-in when it only computes (``noop``, ``transform``...), else as the suite's
``unmocked_handlers`` policy says. Real user handlers never run in a contract.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any, Literal

from orch8_nb.engine.handlers import FailStep, HandlerRegistry, StepContext
from orch8_nb.engine.handlers.registry import HandlerFn
from orch8_nb.model import SequenceDefinition, StepDef
from orch8_nb.testing.contracts.model import (
    AttemptsMock,
    ContractCase,
    EchoMock,
    FailureAttempt,
    FailureMock,
    Mock,
    SuccessAttempt,
    SuccessMock,
)
from orch8_nb.testing.mocks import Failure, MockHandler, Outcome, Success, scripted

#: Built-ins that only compute or touch the instance's own state: they run for real in a
#: contract unless mocked. Any other built-in counts as unmocked.
PURE_BUILTINS = frozenset(
    {"noop", "log", "transform", "assert", "set_state", "get_state", "delete_state",
     "merge_state", "sleep", "fail"}
)  # fmt: skip

Policy = Literal["fail", "empty_success"]


class CallLog:
    """Calls per handler name, and the handlers called without a mock."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.unmocked: list[str] = []
        self._lock = threading.Lock()

    def record(self, handler: str) -> None:
        with self._lock:
            self.calls[handler] += 1

    def record_unmocked(self, handler: str) -> None:
        with self._lock:
            if handler not in self.unmocked:
                self.unmocked.append(handler)


class Router:
    """The handler registered under one name for one case."""

    def __init__(
        self,
        name: str,
        blocks: Mapping[str, HandlerFn],
        mock: HandlerFn | None,
        fallback: HandlerFn,
        log: CallLog,
    ) -> None:
        self.name = name
        self.blocks = dict(blocks)
        self.mock = mock
        self.fallback = fallback
        self.log = log

    async def __call__(self, ctx: StepContext) -> Any:
        self.log.record(self.name)
        target: HandlerFn = self.blocks.get(ctx.block_id) or self.mock or self.fallback
        result = target(ctx)
        return await result if inspect.isawaitable(result) else result


def step_handlers(seq: SequenceDefinition) -> dict[str, str]:
    """Block id -> handler name, for every step of the sequence."""
    return {
        ref.block.id: ref.block.handler
        for ref in seq.iter_blocks()
        if isinstance(ref.block, StepDef)
    }


def build_routers(
    case: ContractCase, seq: SequenceDefinition, policy: Policy, builtins: HandlerRegistry
) -> tuple[list[Router], CallLog]:
    """One router per handler name the sequence uses, wired to ``case``'s mocks."""
    steps = step_handlers(seq)
    log = CallLog()
    by_handler = {m.handler: m for m in case.mocks if m.handler is not None}
    by_block = {m.block: m for m in case.mocks if m.block is not None}
    routers = []
    for name in sorted(set(steps.values())):
        blocks = {
            block: _mock_handler(name, by_block[block])
            for block, handler in steps.items()
            if handler == name and block in by_block
        }
        handler_mock = by_handler.get(name)
        mock = None if handler_mock is None else _mock_handler(name, handler_mock)
        routers.append(Router(name, blocks, mock, _fallback(name, policy, builtins, log), log))
    return routers, log


def _mock_handler(name: str, mock: Mock) -> HandlerFn:
    if isinstance(mock, EchoMock):
        return _echo
    if isinstance(mock, SuccessMock):
        return MockHandler(name, default=Success(mock.output))
    if isinstance(mock, FailureMock):
        return MockHandler(name, default=_outcome(mock))
    assert isinstance(mock, AttemptsMock)  # recorded mocks are refused when loading
    return scripted(name, [_outcome(a) for a in mock.attempts])


def _outcome(item: SuccessAttempt | FailureAttempt | FailureMock) -> Outcome:
    if isinstance(item, SuccessAttempt):
        return Success(item.output)
    return Failure(item.message, item.retryable, item.details, item.code)


def _fallback(name: str, policy: Policy, builtins: HandlerRegistry, log: CallLog) -> HandlerFn:
    builtin = builtins.get(name)
    if builtin is not None and builtin.builtin and name in PURE_BUILTINS:
        return builtin.fn
    if policy == "empty_success":
        return _empty_success

    def unmocked(ctx: StepContext) -> Any:
        log.record_unmocked(name)
        raise FailStep(f"contract: handler {name!r} called without a mock", code="unmocked")

    return unmocked


def _echo(ctx: StepContext) -> dict[str, Any]:
    context = json.loads(json.dumps(dict(ctx.context), default=str))
    return {"block_id": ctx.block_id, "attempt": ctx.attempt, "params": ctx.params,
            "context": context}  # fmt: skip


def _empty_success(ctx: StepContext) -> dict[str, Any]:
    return {}
