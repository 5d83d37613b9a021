"""Small annotated field types shared by the models."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, Strict, WithJsonSchema

from orch8_nb.errors import InputValidationError, Problem

StrictText = Annotated[str, Strict()]
NonEmptyText = Annotated[str, Strict(), Field(min_length=1)]
StrictBoolean = Annotated[bool, Strict()]
NonNegativeInt = Annotated[int, Strict(), Field(ge=0)]
PositiveInt = Annotated[int, Strict(), Field(ge=1)]


def _uuid_text(value: Any) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise ValueError(f"expected a UUID string, got {value!r}")


UuidText = Annotated[
    str,
    BeforeValidator(_uuid_text),
    WithJsonSchema({"type": "string", "format": "uuid"}),
]
"""A UUID, accepted as ``uuid.UUID`` or text and stored in canonical lowercase form."""


def _json_schema_document(value: Any) -> Any:
    if not isinstance(value, dict | bool):
        raise ValueError("must be a JSON Schema (an object or a boolean)")
    if isinstance(value, dict):
        # Imported here: jsonschema is slow to import and most models never need it.
        from jsonschema.exceptions import SchemaError
        from jsonschema.validators import Draft202012Validator, validator_for

        try:
            validator_for(value, default=Draft202012Validator).check_schema(value)
        except SchemaError as exc:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in exc.path)
            raise InputValidationError(
                [Problem(where.lstrip("."), f"not a valid JSON Schema: {exc.message}")]
            ) from None
    return value


JsonSchemaDocument = Annotated[
    dict[str, Any] | bool,
    BeforeValidator(_json_schema_document),
    WithJsonSchema({"type": ["object", "boolean"]}),
]
"""A JSON Schema; checked with ``check_schema`` so a broken schema fails at publish time."""
