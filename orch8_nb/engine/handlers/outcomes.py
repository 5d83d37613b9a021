"""How a handler says "try again" or "give up": explicit exceptions, not magic values.

Any other exception a handler raises counts as retryable, like :class:`RetryStep`.
"""

from __future__ import annotations

from typing import Any


class StepError(Exception):
    """Base of the handler control-flow exceptions."""

    retryable: bool = True

    def __init__(self, message: str = "", *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.code = code


class RetryStep(StepError):
    """A transient failure: the step may be retried under its ``retry`` policy.

    ``delay_ms`` overrides the policy's backoff for this one retry.
    """

    retryable = True

    def __init__(
        self,
        message: str = "retry requested",
        *,
        delay_ms: int | None = None,
        details: Any = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, details=details, code=code)
        self.delay_ms = delay_ms


class FailStep(StepError):
    """A permanent failure: no retry, the step fails now."""

    retryable = False

    def __init__(
        self, message: str = "step failed", *, details: Any = None, code: str | None = None
    ) -> None:
        super().__init__(message, details=details, code=code)
