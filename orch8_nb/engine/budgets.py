"""Instance budgets: limits on steps, LLM tokens, cost, outbound calls and wall time.

Usage is counted in instance metadata (``_usage``) as handlers finish, and only for
instances that have a budget. Tokens and cost come from a handler output's ``usage``
object (``input_tokens``/``prompt_tokens``, ``output_tokens``/``completion_tokens``,
``total_tokens``, ``cost_microunits``), the shape LLM handlers return. Before each new
step the budget is checked; a breach pauses the instance, with the reason in its metadata
(``paused_reason: budget_exceeded`` and ``budget_breach: {limit, limit_value, actual}``,
as in Orch8). Raise the budget (``inst.set_budget``) and resume it to go on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orch8_nb.engine.breakers import UNTRACKED
from orch8_nb.engine.run import Run
from orch8_nb.errors import InstanceValidationError, Problem, UnsupportedFeatureError
from orch8_nb.model import Budget

USAGE_KEY = "_usage"
#: Budget fields this engine can measure, and the usage counter each one limits.
MEASURED = {
    "max_steps": "steps",
    "max_input_tokens": "input_tokens",
    "max_output_tokens": "output_tokens",
    "max_total_tokens": "total_tokens",
    "max_cost_microunits": "cost_microunits",
    "max_external_calls": "external_calls",
    "max_wall_time_ms": "wall_time_ms",
}


def check_budget(budget: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A validated budget (JSON), or ``None``; each problem named with its path."""
    if budget is None:
        return None
    try:
        model = Budget.model_validate(dict(budget))
    except ValueError as exc:
        raise InstanceValidationError([Problem("budget", str(exc).splitlines()[0])]) from exc
    values = model.model_dump(exclude_none=True)
    unmeasured = sorted(set(values) - set(MEASURED))
    if unmeasured:
        raise UnsupportedFeatureError(
            f"budget.{unmeasured[0]}: this engine does not measure that yet (it measures "
            f"{', '.join(sorted(MEASURED))})"
        )
    return values


def count(run: Run, handler: str, output: Any) -> None:
    """Add a finished handler call (and the ``usage`` in its output) to the instance's usage."""
    if not run.inst.budget:
        return
    usage = dict(run.inst.metadata.get(USAGE_KEY) or {})
    usage["steps"] = usage.get("steps", 0) + 1
    if handler not in UNTRACKED:
        usage["external_calls"] = usage.get("external_calls", 0) + 1
    for key, value in spent(output).items():
        usage[key] = usage.get(key, 0) + value
    run.set_metadata(USAGE_KEY, usage)


def spent(output: Any) -> dict[str, int]:
    """Tokens and cost an output reports in its ``usage`` (LLM handlers do), normalised to
    ``input_tokens``, ``output_tokens``, ``total_tokens``, ``cost_microunits``; budgets count
    them and the analytics read them from the attempt's audit row."""
    usage = output.get("usage") if isinstance(output, dict) else None
    if not isinstance(usage, dict):
        return {}
    out: dict[str, int] = {}
    for key, aliases in USAGE_FIELDS.items():
        for alias in aliases:
            value = usage.get(alias)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[key] = int(value)
                break
    if "total_tokens" not in out and ("input_tokens" in out or "output_tokens" in out):
        out["total_tokens"] = out.get("input_tokens", 0) + out.get("output_tokens", 0)
    return out


USAGE_FIELDS = {
    "input_tokens": ("input_tokens", "prompt_tokens"),
    "output_tokens": ("output_tokens", "completion_tokens"),
    "total_tokens": ("total_tokens",),
    "cost_microunits": ("cost_microunits",),
}


def breach(run: Run) -> dict[str, Any] | None:
    """The first limit the instance has reached, if any."""
    budget = run.inst.budget
    if not budget:
        return None
    usage = dict(run.inst.metadata.get(USAGE_KEY) or {})
    started = run.inst.context_runtime.get("started_at")
    if isinstance(started, int):
        usage["wall_time_ms"] = run.now() - started
    for limit, counter in MEASURED.items():
        value = budget.get(limit)
        if isinstance(value, int) and usage.get(counter, 0) >= value:
            return {"limit": limit, "limit_value": value, "actual": usage.get(counter, 0)}
    return None


def pause_if_over_budget(run: Run) -> bool:
    """Pause the instance (in the pending changeset) if a limit is reached; True if so."""
    found = breach(run)
    if found is None:
        return False
    run.set_metadata("paused_reason", "budget_exceeded")
    run.set_metadata("budget_breach", found)
    run.audit("budget_exceeded", found)
    run.transition("paused", reason="budget_exceeded", **found)
    run.release_lease()
    return True
