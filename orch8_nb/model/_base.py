"""The base every wire model shares: strict fields, typed errors, compact JSON.

Construction from Python (``StepDef(...)``) and ``from_json`` raise our typed errors with
JSON paths instead of pydantic's ``ValidationError``; ``model_validate`` stays the raw,
fast pydantic path the engine uses for rows it wrote itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar, NoReturn, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
)

from orch8_nb.errors import InputValidationError, Problem, SequenceValidationError
from orch8_nb.model.paths import problems_from_validation_error


class WireModel(BaseModel):
    """A JSON object of the Orch8 wire format; unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    error_class: ClassVar[type[InputValidationError]] = InputValidationError
    # Optional fields left out of the JSON when None; ``None`` here means every field.
    omit_none_fields: ClassVar[frozenset[str] | None] = frozenset()

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise self.error_class(problems_from_validation_error(exc)) from None

    # Tell pydantic this __init__ only wraps errors: nested models are then built by the
    # fast core path instead of calling it once per block of the tree.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @model_serializer(mode="wrap")
    def _omit_none(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        omit = type(self).omit_none_fields
        if omit is None:
            return {key: value for key, value in data.items() if value is not None}
        if omit:
            return {k: v for k, v in data.items() if v is not None or k not in omit}
        return data

    @classmethod
    def from_json(cls, data: str | bytes | bytearray | Mapping[str, Any]) -> Self:
        """Parse JSON text or an already-decoded mapping; errors carry JSON paths."""
        payload: Any = data
        if isinstance(data, str | bytes | bytearray):
            try:
                payload = json.loads(data)
            except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
                raise cls.error_class([Problem("", f"malformed JSON: {exc}")]) from None
        elif isinstance(data, Mapping) and not isinstance(data, dict):
            payload = dict(data)
        try:
            return cls.model_validate(payload)
        except ValidationError as exc:
            raise cls.error_class(problems_from_validation_error(exc)) from None

    def to_json(self, *, indent: int | None = None) -> str:
        """The Orch8 JSON text of this object (None-valued optional fields omitted)."""
        return self.model_dump_json(indent=indent)


class DefinitionModel(WireModel):
    """Part of a sequence definition: every None-valued optional field is omitted."""

    error_class: ClassVar[type[InputValidationError]] = SequenceValidationError
    omit_none_fields: ClassVar[frozenset[str] | None] = None


def reject(path: str, message: str) -> NoReturn:
    """Fail a validator with one problem at ``path`` relative to the model being checked."""
    raise InputValidationError([Problem(path, message)])


def reject_all(found: list[Problem]) -> None:
    """Fail a validator with every problem found, if any."""
    if found:
        raise InputValidationError(found)
