"""The option objects a ``step`` block can carry: retry, delay, windows, gates, escalation."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from orch8_nb.errors import Problem
from orch8_nb.model._base import DefinitionModel, reject, reject_all
from orch8_nb.model._types import NonEmptyText, StrictBoolean, StrictText
from orch8_nb.model.durations import DurationMs, format_duration_ms
from orch8_nb.model.limits import MAX_HOUR, MAX_U32, MAX_WEEKDAY


class RetryPolicy(DefinitionModel):
    """Retry with exponential backoff: attempt n waits min(initial * multiplier**n, max)."""

    max_attempts: Annotated[int, Field(gt=0, le=MAX_U32, strict=True)] = Field(
        description="Total attempts including the first; must be > 0."
    )
    initial_backoff: DurationMs = Field(description="Wait before the first retry, in ms.")
    max_backoff: DurationMs = Field(description="Upper bound on any wait, in ms.")
    backoff_multiplier: float = Field(
        2.0, gt=0, strict=True, description="Factor applied to the wait after each retry."
    )
    retry_if: StrictText | None = Field(
        None,
        description="Expression; retry only when truthy. Sees context.data._error = "
        "{message, details}.",
    )
    non_retryable_codes: list[StrictText] = Field(
        default_factory=list,
        description="Error codes (details.error_code, details.code or details.status) "
        "that fail at once without retrying.",
    )

    @model_validator(mode="after")
    def _backoff_order(self) -> Self:
        if self.initial_backoff > self.max_backoff:
            reject(
                "initial_backoff",
                f"initial_backoff ({format_duration_ms(self.initial_backoff)}) must not "
                f"exceed max_backoff ({format_duration_ms(self.max_backoff)})",
            )
        return self


def _holiday(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}") from None
    if len(value) != 10:
        raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")
    return value


def _naive_local(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"expected a local date-time like 2026-03-08T09:00:00, got {value!r}"
        ) from None
    if moment.tzinfo is not None:
        raise ValueError("fire_at_local is a local time: drop the offset and set timezone")
    return value


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA timezone {value!r}") from None
    return value


class DelaySpec(DefinitionModel):
    """A durable wait before the step runs."""

    duration: DurationMs = Field(description="How long to wait, in ms.")
    business_days_only: StrictBoolean = Field(
        False, description="Count only Monday-Friday, skipping holidays."
    )
    jitter: DurationMs | None = Field(
        None, description="Random extra wait up to this many ms, to spread load."
    )
    holidays: list[Annotated[StrictText, AfterValidator(_holiday)]] = Field(
        default_factory=list,
        description="Dates (YYYY-MM-DD) skipped by business_days_only; merged with "
        "context.config.holidays.",
    )
    fire_at_local: Annotated[StrictText, AfterValidator(_naive_local)] | None = Field(
        None,
        description="Naive local date-time to fire at instead of a duration; a DST gap "
        "rolls forward.",
    )
    timezone: Annotated[StrictText, AfterValidator(_zone)] | None = Field(
        None, description="IANA zone for fire_at_local; defaults to the instance timezone."
    )


Hour = Annotated[int, Field(ge=0, le=MAX_HOUR, strict=True)]


class SendWindow(DefinitionModel):
    """Run only inside a daily window, in the instance's timezone."""

    start_hour: Hour = Field(9, description="First allowed hour, 0-23.")
    end_hour: Hour = Field(17, description="Hour the window closes (exclusive), 0-23.")
    days: list[Annotated[int, Field(ge=0, le=MAX_WEEKDAY, strict=True)]] = Field(
        default_factory=list,
        description="Allowed weekdays, 0 = Monday .. 6 = Sunday; empty means every day.",
    )

    @model_validator(mode="after")
    def _non_empty_window(self) -> Self:
        if self.start_hour == self.end_hour:
            reject("end_hour", "end_hour must differ from start_hour (the window would be empty)")
        return self


class DataFields(DefinitionModel):
    """Only these top-level keys of context.data are visible."""

    fields: list[StrictText] = Field(description="Visible top-level keys of context.data.")


def _data_access(value: Any) -> bool | str | DataFields:
    if isinstance(value, bool | DataFields):
        return value
    if value in ("all", "none"):
        return str(value)
    if isinstance(value, dict):
        return DataFields.model_validate(value)
    raise ValueError('must be true, false, "all", "none" or {"fields": [...]}')


def _dump_data_access(value: bool | str | DataFields) -> Any:
    return value.model_dump() if isinstance(value, DataFields) else value


DataAccess = Annotated[
    bool | Literal["all", "none"] | DataFields,
    PlainValidator(_data_access),
    PlainSerializer(_dump_data_access),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "boolean"},
                {"enum": ["all", "none"]},
                {
                    "type": "object",
                    "properties": {"fields": {"type": "array", "items": {"type": "string"}}},
                    "required": ["fields"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


class ContextAccess(DefinitionModel):
    """Which context sections the handler sees; omit the whole object to see everything."""

    data: DataAccess = Field(
        True, description='context.data: true/"all", false/"none" or {"fields": [...]}.'
    )
    config: StrictBoolean = Field(True, description="Whether context.config is visible.")
    audit: StrictBoolean = Field(False, description="Whether context.audit is visible.")
    runtime: StrictBoolean = Field(False, description="Whether context.runtime is visible.")

    def allows_data_key(self, key: str) -> bool:
        """Whether the handler may read ``context.data[key]``."""
        if isinstance(self.data, DataFields):
            return key in self.data.fields
        return self.data is True or self.data == "all"


class HumanChoice(DefinitionModel):
    """One answer a human can give at an input gate."""

    label: StrictText = Field(description="Text shown on the button.")
    value: StrictText = Field(description="Value stored in context.data when chosen.")


DEFAULT_CHOICES: tuple[HumanChoice, ...] = (
    HumanChoice(label="Yes", value="yes"),
    HumanChoice(label="No", value="no"),
)


class HumanInputDef(DefinitionModel):
    """A human gate before the handler: waits for signal ``human_input:<block id>``."""

    prompt: StrictText = Field("", description="Question or instructions for the reviewer.")
    timeout: DurationMs | None = Field(
        None, description="Give up after this many ms from step start; none waits forever."
    )
    escalation_handler: StrictText | None = Field(
        None,
        description="On timeout, record an escalation and continue instead of failing.",
    )
    choices: list[HumanChoice] | None = Field(
        None, min_length=1, description="Allowed answers; omitted means Yes/No (yes, no)."
    )
    store_as: NonEmptyText | None = Field(
        None, description="context.data key for the answer; defaults to the block id."
    )
    allow_comment: StrictBoolean = Field(
        False, description="Whether the reviewer may attach a free-text comment."
    )

    @model_validator(mode="after")
    def _unique_values(self) -> Self:
        seen: set[str] = set()
        found: list[Problem] = []
        for index, choice in enumerate(self.choices or ()):
            if choice.value in seen:
                found.append(
                    Problem(f"choices[{index}].value", f"duplicate choice value {choice.value!r}")
                )
            seen.add(choice.value)
        reject_all(found)
        return self

    @property
    def effective_choices(self) -> tuple[HumanChoice, ...]:
        """The choices a reviewer sees (Yes/No when none are given)."""
        return tuple(self.choices) if self.choices else DEFAULT_CHOICES

    def store_key(self, block_id: str) -> str:
        """The context.data key the answer is written to."""
        return self.store_as or block_id


class DeadlineBreachHandler(DefinitionModel):
    """Handler called when a step misses its deadline (the step fails either way)."""

    handler: NonEmptyText = Field(description="Handler name, e.g. notify_slack.")
    params: Any = Field(None, description="Parameters for the handler (templates resolved).")


class CompensationVerification(StrEnum):
    """How a compensation proves it undid the effect."""

    HANDLER_RESULT = "handler_result"  # the handler's own success is the proof
    PROVIDER_RECEIPT = "provider_receipt"  # a receipt from the external provider
    MANUAL = "manual"  # a person confirms


class CompensationDef(DefinitionModel):
    """How to undo this step's effect if a later step fails (receipt-backed recovery)."""

    handler: NonEmptyText = Field(description="Handler that undoes the effect.")
    params: Any = Field(None, description="Parameters for the compensation handler.")
    depends_on: list[StrictText] = Field(
        default_factory=list, description="Block ids whose compensation must run first."
    )
    verification: CompensationVerification = Field(
        CompensationVerification.HANDLER_RESULT,
        description="How success of the compensation is established.",
    )
