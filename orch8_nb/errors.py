"""Typed errors shared by every layer.

Every error a user can trigger names what was wrong and where: validation errors carry a
list of problems, each with the JSON path of the bad field (``blocks[2].retry.max_attempts``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class Orch8Error(Exception):
    """Base class of every error raised on purpose by orch8-nb."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where (a JSON path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.message}"


class InputValidationError(Orch8Error, ValueError):
    """Some input was rejected; ``problems`` lists every issue found, each with its path."""

    what = "input"

    def __init__(self, problems: Iterable[Problem], *, what: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if what is not None:
            self.what = what
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"invalid {self.what} ({count} {noun}):\n{lines}")

    @property
    def paths(self) -> list[str]:
        return [p.path for p in self.problems]


class SequenceValidationError(InputValidationError):
    """A sequence definition (or block) failed validation."""

    what = "sequence"


class InstanceValidationError(InputValidationError):
    """A create-instance request (context, priority, options) failed validation."""

    what = "instance"


class SignalValidationError(InputValidationError):
    """A signal (type or payload) failed validation."""

    what = "signal"


class PayloadTooLargeError(InputValidationError):
    """An input is over a size cap (a context over ``MAX_CONTEXT_BYTES``); HTTP 413."""


class ExpressionError(Orch8Error, ValueError):
    """An expression or ``{{ }}`` template could not be parsed or evaluated."""


class StorageError(Orch8Error):
    """The storage backend failed or refused an operation."""


class NotFoundError(Orch8Error, LookupError):
    """A sequence, instance, task or other record does not exist (for this tenant)."""


class InvalidTransitionError(Orch8Error):
    """An instance (or worker task) state change is not allowed from its current state."""


class ConflictError(Orch8Error):
    """A compare-and-swap lost: someone else changed the record first (stale lease, ...)."""


class UnsupportedFeatureError(Orch8Error):
    """The definition uses a feature this version of orch8-nb does not execute yet."""
