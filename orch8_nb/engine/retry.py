"""Retry policy: whether a failed attempt gets another try, and after how long."""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.run import Run, StepError
from orch8_nb.engine.scope import scope_for
from orch8_nb.errors import ExpressionError
from orch8_nb.expr import evaluate, truthy


def backoff_ms(policy: Any, attempt: int) -> int:
    """``min(initial * multiplier ** attempt, max)``; attempt 0 waits ``initial``."""
    initial = int(policy.initial_backoff)
    ceiling = int(policy.max_backoff)
    try:
        raw = initial * float(policy.backoff_multiplier) ** attempt
    except OverflowError:
        return ceiling
    return int(min(raw, ceiling))


def _error_codes(error: StepError) -> set[str]:
    codes: set[str] = set()
    if error.code is not None:
        codes.add(str(error.code))
    if isinstance(error.details, dict):
        for key in ("error_code", "code", "status"):
            if error.details.get(key) is not None:
                codes.add(str(error.details[key]))
    return codes


def should_retry(run: Run, block: Any, attempt: int, error: StepError) -> bool:
    """Orch8's rule: retryable, attempts left, no blocked code, and ``retry_if`` truthy."""
    policy = block.retry
    if policy is None or not error.retryable or attempt + 1 >= policy.max_attempts:
        return False
    blocked = {str(c) for c in (policy.non_retryable_codes or ())}
    if blocked & _error_codes(error):
        return False
    if policy.retry_if:
        data = dict(run.inst.context_data)
        data["_error"] = {"message": error.message, "details": error.details}
        try:
            return truthy(evaluate(policy.retry_if, scope_for(run, data=data), strict=True))
        except ExpressionError:
            return False
    return True
