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


class AwaitApproval(Exception):
    """Ask a person before going on: the step waits on a human-input gate.

    The answer arrives as the signal ``human_input:<block_id>`` (``inst.approve(block_id)``
    or ``inst.deny(block_id)``); the handler then runs again and finds it in ``ctx.approval``
    (``{"key", "value", "comment"?}``). ``key`` names what is being approved, so a handler
    asking several times can tell which question an answer belongs to. Anything the handler
    must not repeat should be saved with ``ctx.progress.save`` before raising.
    """

    def __init__(
        self,
        prompt: str,
        *,
        key: str = "",
        details: Any = None,
        choices: tuple[tuple[str, str], ...] = (("Approve", "yes"), ("Reject", "no")),
    ) -> None:
        super().__init__(prompt)
        self.prompt = prompt
        self.key = key
        self.details = details
        self.choices = choices

    def to_json(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt,
            "key": self.key,
            "details": self.details,
            "choices": [{"label": label, "value": value} for label, value in self.choices],
            "allow_comment": True,
        }
