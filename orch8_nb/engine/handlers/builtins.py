"""Orch8's built-in handlers that need nothing outside the instance.

Params and outputs follow Orch8 (see docs/compatibility.md for where they differ).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from orch8_nb.engine.handlers.context import StepContext
from orch8_nb.engine.handlers.outcomes import FailStep, RetryStep
from orch8_nb.engine.handlers.registry import HandlerRegistry
from orch8_nb.errors import ExpressionError

log = logging.getLogger("orch8_nb.handlers")
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING,
           "warning": logging.WARNING, "error": logging.ERROR}  # fmt: skip


def _params(ctx: StepContext) -> Mapping[str, Any]:
    if ctx.params is None:
        return {}
    if not isinstance(ctx.params, Mapping):
        raise FailStep(f"{ctx.handler}: params must be an object, got {type(ctx.params).__name__}")
    return ctx.params


def _key(ctx: StepContext) -> str:
    key = _params(ctx).get("key")
    if not isinstance(key, str) or not key:
        raise FailStep(f"{ctx.handler}: params.key must be a non-empty string")
    return key


def noop(ctx: StepContext) -> dict[str, Any]:
    """Does nothing; output ``{}``."""
    return {}


def log_message(ctx: StepContext) -> dict[str, Any]:
    """Logs ``params.message`` at ``params.level`` (debug, info, warn)."""
    p = _params(ctx)
    message = p.get("message", "no message")
    level = str(p.get("level", "info")).lower()
    log.log(_LEVELS.get(level, logging.INFO), "[%s/%s] %s", ctx.instance_id, ctx.block_id, message)
    return {"message": message}


async def sleep(ctx: StepContext) -> dict[str, Any]:
    """Waits ``params.duration_ms`` (100) on the engine clock; cancel interrupts it."""
    raw = _params(ctx).get("duration_ms", 100)
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 0:
        raise FailStep("sleep: params.duration_ms must be a non-negative number")
    if ctx.clock is None:
        raise FailStep("sleep: no clock available")
    await ctx.clock.sleep(raw)
    return {"slept_ms": int(raw)}


def fail(ctx: StepContext) -> None:
    """Always fails with ``params.message``; ``params.retryable`` picks the kind."""
    p = _params(ctx)
    message = str(p.get("message", "forced failure"))
    if p.get("retryable", False) is True:
        raise RetryStep(message)
    raise FailStep(message)


def self_modify(ctx: StepContext) -> dict[str, Any]:
    """Injects ``params.blocks`` into the running instance (at ``params.position``, or
    appended); the engine applies it and records ``{injected_count, position}``."""
    p = _params(ctx)
    return {"_self_modify": True, "blocks": p.get("blocks"), "position": p.get("position")}


def transform(ctx: StepContext) -> Any:
    """Returns its resolved params: pure templating, writes nothing."""
    return ctx.params


def assert_condition(ctx: StepContext) -> dict[str, Any]:
    """Fails permanently unless ``params.condition`` is truthy.

    A string condition is an expression (``outputs.a.n > 3``); anything else (a template
    already resolved to a value) is tested for truthiness.
    """
    from orch8_nb.expr import evaluate, truthy

    p = _params(ctx)
    if "condition" not in p:
        raise FailStep("assert: params.condition is required")
    condition = p["condition"]
    if isinstance(condition, str):
        scope = ctx.scope
        if scope is None:
            raise FailStep("assert: no expression scope available")
        try:
            passed = truthy(evaluate(condition, scope, strict=True))
        except ExpressionError as exc:
            raise FailStep(f"assert: {exc}") from exc
    else:
        passed = truthy(condition)
    if not passed:
        raise FailStep(str(p.get("message", "assertion failed")), details={"condition": condition})
    return {"condition": condition, "passed": True}


def set_state(ctx: StepContext) -> dict[str, Any]:
    """Stores ``params.value`` under ``params.key`` in the instance state."""
    key = _key(ctx)
    value = _params(ctx).get("value")
    ctx.state[key] = value
    return {"key": key, "value": value}


def get_state(ctx: StepContext) -> dict[str, Any]:
    """Reads ``params.key`` from the instance state (``null`` when absent)."""
    key = _key(ctx)
    return {"key": key, "value": ctx.state.get(key)}


def delete_state(ctx: StepContext) -> dict[str, Any]:
    """Removes ``params.key`` from the instance state (absent keys are fine)."""
    key = _key(ctx)
    if key in ctx.state:
        del ctx.state[key]
    return {"key": key, "deleted": True}


def merge_state(ctx: StepContext) -> dict[str, Any]:
    """Writes every key of ``params.values`` into the instance state."""
    values = _params(ctx).get("values")
    if not isinstance(values, Mapping):
        raise FailStep("merge_state: params.values must be an object")
    for k, v in values.items():
        ctx.state[str(k)] = v
    return {"merged_keys": sorted(str(k) for k in values)}


BUILTINS = {
    "noop": noop,
    "log": log_message,
    "sleep": sleep,
    "fail": fail,
    "transform": transform,
    "self_modify": self_modify,
    "assert": assert_condition,
    "set_state": set_state,
    "get_state": get_state,
    "delete_state": delete_state,
    "merge_state": merge_state,
}


def register_builtins(registry: HandlerRegistry) -> None:
    for name, fn in BUILTINS.items():
        registry.register(name, fn, builtin=True)
