"""Signals: the four built-ins, custom names, and their two encodings.

On the wire (REST) a custom signal is ``{"custom": "<name>"}``; in storage and text it is
``"custom:<name>"``. Both are accepted on input.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Final, Self

from pydantic import Field, PlainSerializer, PlainValidator, WithJsonSchema, model_validator

from orch8_nb.errors import Problem, SignalValidationError
from orch8_nb.model._base import WireModel, reject_all
from orch8_nb.model._types import StrictBoolean, StrictText
from orch8_nb.model.limits import MAX_CUSTOM_SIGNAL_NAME
from orch8_nb.model.timestamps import Timestamp

CUSTOM_PREFIX: Final = "custom:"
HUMAN_INPUT_PREFIX: Final = "human_input:"  # custom signal answering a step's input gate


class BuiltinSignal(StrEnum):
    """Signals with a built-in effect."""

    PAUSE = "pause"  # running/scheduled -> paused
    RESUME = "resume"  # paused -> scheduled
    CANCEL = "cancel"  # scoped cancel (non-cancellable work finishes first)
    UPDATE_CONTEXT = "update_context"  # merge payload.data keys into context.data


_BUILTIN_NAMES = frozenset(s.value for s in BuiltinSignal)


@dataclass(frozen=True, slots=True)
class SignalKind:
    """A signal type: a built-in name, or a custom name (``custom=True``)."""

    name: str
    custom: bool = False

    PAUSE: ClassVar[SignalKind]
    RESUME: ClassVar[SignalKind]
    CANCEL: ClassVar[SignalKind]
    UPDATE_CONTEXT: ClassVar[SignalKind]

    def __post_init__(self) -> None:
        if self.custom:
            if not self.name:
                raise ValueError("custom signal name must not be empty")
            if len(self.name) > MAX_CUSTOM_SIGNAL_NAME:
                raise ValueError(
                    f"custom signal name is longer than {MAX_CUSTOM_SIGNAL_NAME} characters"
                )
        elif self.name not in _BUILTIN_NAMES:
            raise ValueError(
                f"unknown signal type {self.name!r}; use pause, resume, cancel, "
                f'update_context or {{"custom": "<name>"}}'
            )

    @classmethod
    def parse(cls, value: Any) -> SignalKind:
        """Accept a SignalKind, a built-in name, ``"custom:<n>"`` or ``{"custom": "<n>"}``."""
        if isinstance(value, SignalKind):
            return value
        if isinstance(value, str):
            if value.startswith(CUSTOM_PREFIX):
                return cls(value[len(CUSTOM_PREFIX) :], custom=True)
            return cls(value)
        if isinstance(value, dict) and list(value) == ["custom"]:
            name = value["custom"]
            if isinstance(name, str):
                return cls(name, custom=True)
        raise ValueError(
            'signal_type must be "pause", "resume", "cancel", "update_context" '
            f'or {{"custom": "<name>"}}, got {value!r}'
        )

    @classmethod
    def human_input(cls, block_id: str) -> SignalKind:
        """The custom signal that answers the input gate of step ``block_id``."""
        return cls(HUMAN_INPUT_PREFIX + block_id, custom=True)

    def to_wire(self) -> str | dict[str, str]:
        """REST form: ``"pause"`` or ``{"custom": "<name>"}``."""
        return {"custom": self.name} if self.custom else self.name

    def to_db(self) -> str:
        """Storage and display form: ``"pause"`` or ``"custom:<name>"``."""
        return CUSTOM_PREFIX + self.name if self.custom else self.name

    def __str__(self) -> str:
        return self.to_db()


SignalKind.PAUSE = SignalKind(BuiltinSignal.PAUSE.value)
SignalKind.RESUME = SignalKind(BuiltinSignal.RESUME.value)
SignalKind.CANCEL = SignalKind(BuiltinSignal.CANCEL.value)
SignalKind.UPDATE_CONTEXT = SignalKind(BuiltinSignal.UPDATE_CONTEXT.value)


def _to_wire(kind: SignalKind) -> str | dict[str, str]:
    return kind.to_wire()


SignalType = Annotated[
    SignalKind,
    PlainValidator(SignalKind.parse),
    PlainSerializer(_to_wire),
    WithJsonSchema(
        {
            "anyOf": [
                {"enum": [s.value for s in BuiltinSignal]},
                {
                    "type": "object",
                    "properties": {
                        "custom": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": MAX_CUSTOM_SIGNAL_NAME,
                        }
                    },
                    "required": ["custom"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]
"""A signal type field: lenient in, REST form out."""


class Signal(WireModel):
    """A signal in an instance's inbox."""

    id: StrictText = Field(description="Signal id.")
    instance_id: StrictText = Field(description="Target instance.")
    signal_type: SignalType = Field(description="What the signal asks for.")
    payload: Any = Field(None, description="JSON payload.")
    delivered: StrictBoolean = Field(False, description="Whether it has been processed.")
    created_at: Timestamp = Field(description="When it was enqueued.")
    delivered_at: Timestamp | None = Field(None, description="When it was processed.")


_CONTEXT_SECTIONS = frozenset({"data", "config", "audit", "runtime"})


class SendSignalRequest(WireModel):
    """Body of ``POST /instances/{id}/signals``."""

    error_class = SignalValidationError

    signal_type: SignalType = Field(description="What the signal asks for.")
    payload: Any = Field(None, description="JSON payload; update_context needs {data: {...}}.")

    @model_validator(mode="after")
    def _payload_shape(self) -> Self:
        if self.signal_type != SignalKind.UPDATE_CONTEXT:
            return self
        payload = self.payload
        if not isinstance(payload, dict):
            reject_all([Problem("payload", "update_context payload must be an object")])
            return self
        found = [
            Problem(f"payload.{key}", "unknown context section (use data)")
            for key in payload
            if key not in _CONTEXT_SECTIONS
        ]
        if "data" in payload and not isinstance(payload["data"], dict):
            found.append(Problem("payload.data", "must be an object"))
        reject_all(found)
        return self
