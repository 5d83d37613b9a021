"""Expectations: terminal state, the blocks that ran, assertions and call counts."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, model_validator

from orch8_nb.errors import InputValidationError, Problem
from orch8_nb.model._base import reject
from orch8_nb.model._types import NonEmptyText, NonNegativeInt, StrictBoolean
from orch8_nb.testing.contracts.model_base import ContractModel, JsonPath, Number

OPS = frozenset({"equals", "exists", "not_exists", "contains", "in_range", "has_type"})


class PathExpectation(ContractModel):
    traversed: list[NonEmptyText] = Field(
        min_length=1, description="Blocks that must have run (completed or failed)."
    )
    ordered: StrictBoolean = Field(
        False, description="True: they ran in this relative order (others may interleave)."
    )


class OutputSubject(ContractModel):
    block: NonEmptyText = Field(description="Block whose latest output is read.")
    path: JsonPath = Field("", description="Path into the output; empty: all of it.")


class ContextSubject(ContractModel):
    path: JsonPath = Field("", description="Path into the final context.data.")


class ErrorSubject(ContractModel):
    path: JsonPath = Field(
        "", description="Path into the instance's error {block_id, message, code, ...}."
    )


class AssertionBase(ContractModel):
    output: OutputSubject | None = Field(None, description="Read a block's output.")
    context: ContextSubject | None = Field(None, description="Read the final context.data.")
    error: ErrorSubject | None = Field(
        None, description="Read what failed the instance (orch8-nb extension)."
    )

    @model_validator(mode="after")
    def _one_subject(self) -> Self:
        given = [s for s in (self.output, self.context, self.error) if s is not None]
        if len(given) != 1:
            reject("", "an assertion reads exactly one of 'output', 'context' or 'error'")
        return self

    @property
    def subject(self) -> str:
        """``output.charge.amount``, ``context.order``, ``error.message``."""
        if self.output is not None:
            return _dotted(f"output.{self.output.block}", self.output.path)
        if self.context is not None:
            return _dotted("context", self.context.path)
        assert self.error is not None
        return _dotted("error", self.error.path)


def _dotted(base: str, path: str) -> str:
    if not path:
        return base
    return base + path if path.startswith("[") else f"{base}.{path}"


class EqualsAssertion(AssertionBase):
    """The value equals ``value`` (JSON equality: 1 equals 1.0, true is not 1)."""

    op: Literal["equals"] = Field(description="Operator tag.")
    value: Any = Field(description="Expected value.")


class ExistsAssertion(AssertionBase):
    """The value is present and not null."""

    op: Literal["exists"] = Field(description="Operator tag.")


class NotExistsAssertion(AssertionBase):
    """The value is absent or null (or the block produced no output)."""

    op: Literal["not_exists"] = Field(description="Operator tag.")


class ContainsAssertion(AssertionBase):
    """Text contains text; an array contains an element; an object contains these keys."""

    op: Literal["contains"] = Field(description="Operator tag.")
    value: Any = Field(description="Substring, element, or object of key/value pairs.")


class InRangeAssertion(AssertionBase):
    """A number within ``[min, max]`` (both inclusive, either may be left out)."""

    op: Literal["in_range"] = Field(description="Operator tag.")
    min: Number | None = Field(None, description="Smallest allowed value.")
    max: Number | None = Field(None, description="Largest allowed value.")

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.min is None and self.max is None:
            reject("", "in_range needs 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            reject("min", f"min ({self.min:g}) is greater than max ({self.max:g})")
        return self


class HasTypeAssertion(AssertionBase):
    """The value has this JSON type."""

    op: Literal["has_type"] = Field(description="Operator tag.")
    expected: Literal["string", "number", "boolean", "array", "object", "null"] = Field(
        description="JSON type name."
    )


def _flatten_op(value: Any) -> Any:
    """Accept ``{"op": {"equals": {"value": 1}}}`` as ``{"op": "equals", "value": 1}``."""
    if not isinstance(value, dict) or not isinstance(value.get("op"), dict):
        return value
    nested = value["op"]
    if len(nested) != 1:
        raise InputValidationError(
            [Problem("op", f"a nested op names one operator ({', '.join(sorted(OPS))})")]
        )
    [(name, args)] = nested.items()
    args = {} if args is None else args
    if not isinstance(args, dict):
        raise InputValidationError([Problem(f"op.{name}", "must be an object of arguments")])
    clash = sorted(set(args) & set(value))
    if clash:
        raise InputValidationError(
            [Problem(f"op.{name}.{clash[0]}", "given both inside 'op' and beside it")]
        )
    return {**value, "op": name, **args}


Assertion = Annotated[
    EqualsAssertion
    | ExistsAssertion
    | NotExistsAssertion
    | ContainsAssertion
    | InRangeAssertion
    | HasTypeAssertion,
    Field(discriminator="op"),
    BeforeValidator(_flatten_op),
]


class CallCount(ContractModel):
    """How often a handler may be called (every attempt of every block counts)."""

    handler: NonEmptyText = Field(description="Handler name.")
    min: NonNegativeInt = Field(0, description="Fewest calls (inclusive).")
    max: NonNegativeInt | None = Field(None, description="Most calls (inclusive); none: any.")

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.max is not None and self.min > self.max:
            reject("min", f"min ({self.min}) is greater than max ({self.max})")
        return self


class Expectations(ContractModel):
    terminal_state: Literal["completed", "failed", "cancelled"] | None = Field(
        None, description="The state the instance must end in."
    )
    path: PathExpectation | None = Field(None, description="Blocks that must have run.")
    skipped_blocks: list[NonEmptyText] = Field(
        default_factory=list, description="Blocks that must not have run."
    )
    assertions: list[Assertion] = Field(
        default_factory=list, description="Checks on outputs, context.data and the error."
    )
    call_counts: list[CallCount] = Field(
        default_factory=list, description="Bounds on how often handlers were called."
    )
