"""The contract suite format: Orch8's declarative contracts, ``schema_version`` 1.

A suite is cases of fixture in, expectations out: ``input`` and ``config`` start an
instance, ``mocks`` answer its handlers, ``signals`` reach it while it is parked, and
``expect`` checks the terminal state, the blocks that ran, values and call counts.

Beyond Orch8 (orch8-nb extensions): a suite may carry its sequence (``sequence`` inline,
or ``sequence_file`` relative to the contract file); a failure mock may carry ``code`` and
``details``; an ``echo`` mock returns what the handler received; an assertion may read
the instance's ``error``; ``op`` may be nested (``{"op": {"equals": {"value": 1}}}``);
and a signal may be sent ``at_start``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, PrivateAttr, WithJsonSchema, model_validator

from orch8_nb.engine.signals import check_signal
from orch8_nb.errors import InputValidationError, Problem, SignalValidationError
from orch8_nb.model import SequenceDefinition
from orch8_nb.model._base import reject_all
from orch8_nb.model._types import NonEmptyText, NonNegativeInt, PositiveInt, StrictText
from orch8_nb.testing.contracts.expectations import (
    OPS,
    Assertion,
    AssertionBase,
    CallCount,
    ContainsAssertion,
    ContextSubject,
    EqualsAssertion,
    ErrorSubject,
    ExistsAssertion,
    Expectations,
    HasTypeAssertion,
    InRangeAssertion,
    NotExistsAssertion,
    OutputSubject,
    PathExpectation,
)
from orch8_nb.testing.contracts.mock_defs import (
    ATTEMPT_KINDS,
    MOCK_TYPES,
    Attempt,
    AttemptsMock,
    EchoMock,
    FailureAttempt,
    FailureMock,
    Mock,
    MockBase,
    RecordedMock,
    SuccessAttempt,
    SuccessMock,
)
from orch8_nb.testing.contracts.model_base import ContractModel

__all__ = [
    "ATTEMPT_KINDS",
    "MOCK_TYPES",
    "OPS",
    "SCHEMA_VERSION",
    "TAGGED",
    "Assertion",
    "AssertionBase",
    "Attempt",
    "AttemptsMock",
    "CallCount",
    "ContainsAssertion",
    "ContextSubject",
    "ContractCase",
    "ContractModel",
    "ContractSuite",
    "EchoMock",
    "EqualsAssertion",
    "ErrorSubject",
    "ExistsAssertion",
    "Expectations",
    "FailureAttempt",
    "FailureMock",
    "HasTypeAssertion",
    "InRangeAssertion",
    "Mock",
    "MockBase",
    "NotExistsAssertion",
    "OutputSubject",
    "PathExpectation",
    "RecordedMock",
    "SignalFixture",
    "SuccessAttempt",
    "SuccessMock",
]

SCHEMA_VERSION = 1
#: Tagged-union lists of the format: list field -> (tag field, tags).
TAGGED = {"mocks": ("type", MOCK_TYPES), "attempts": ("kind", ATTEMPT_KINDS),
          "assertions": ("op", OPS)}  # fmt: skip


#: Checked by the engine's own signal parser, which words the errors.
SignalType = Annotated[
    Any,
    WithJsonSchema(
        {"anyOf": [
            {"type": "string"},
            {"type": "object", "properties": {"custom": {"type": "string"}},
             "required": ["custom"], "additionalProperties": False},
        ]}
    ),
]  # fmt: skip


class SignalFixture(ContractModel):
    """A signal sent to the case's instance."""

    signal_type: SignalType = Field(
        description='pause, resume, cancel, update_context, "custom:<name>" or '
        '{"custom": "<name>"}.'
    )
    payload: Any = Field(None, description="Signal payload (update_context: {data: {...}}).")
    deliver: Literal["when_parked", "at_start"] = Field(
        "when_parked",
        description="when_parked: the next time the instance parks (waits, is paused or "
        "sleeps on a timer), in order; at_start: before the first tick (orch8-nb extension).",
    )

    @model_validator(mode="after")
    def _known_signal(self) -> Self:
        try:
            check_signal(self.signal_type, self.payload)
        except SignalValidationError as exc:
            raise InputValidationError(exc.problems) from None
        return self

    @property
    def label(self) -> str:
        kind = self.signal_type
        return kind if isinstance(kind, str) else f"custom:{kind['custom']}"


def _sequence(value: Any) -> Any:
    if value is None or isinstance(value, SequenceDefinition):
        return value
    if not isinstance(value, dict):
        raise InputValidationError([Problem("", "must be a sequence definition (an object)")])
    return SequenceDefinition.from_json(value)


class ContractCase(ContractModel):
    """One scenario: a fixture in, expectations out."""

    name: NonEmptyText = Field(description="Unique within the suite; the test's id.")
    description: StrictText | None = Field(None, description="What the case is about.")
    input: dict[str, Any] | None = Field(None, description="The instance's context.data.")
    initial_outputs: dict[str, Any] = Field(
        default_factory=dict, description="Not supported by orch8-nb; must be empty."
    )
    config: dict[str, Any] | None = Field(None, description="The instance's context.config.")
    mocks: list[Mock] = Field(default_factory=list, description="Handler and block mocks.")
    signals: list[SignalFixture] = Field(
        default_factory=list, description="Signals sent to the instance, in order."
    )
    expect: Expectations = Field(description="What must hold when the instance stops.")
    max_logical_duration_ms: NonNegativeInt | None = Field(
        None, description="Most virtual time the case may take."
    )
    max_ticks: PositiveInt | None = Field(
        None, description="Most scheduler passes the case may take (default 5000)."
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems: list[Problem] = []
        if self.initial_outputs:
            problems.append(
                Problem(
                    "initial_outputs",
                    "not supported by orch8-nb: an instance cannot start from recorded "
                    "outputs; mock those blocks instead",
                )
            )
        seen: dict[str, int] = {}
        for i, mock in enumerate(self.mocks):
            first = seen.setdefault(mock.target, i)
            if first != i:
                problems.append(Problem(f"mocks[{i}]", f"{mock.target} is already mocked "
                                        f"by mocks[{first}]"))  # fmt: skip
        reject_all(problems)
        return self


class ContractSuite(ContractModel):
    """Contract cases for one sequence (the ``*.contracts.json`` format)."""

    schema_version: int = Field(SCHEMA_VERSION, description="Format version; must be 1.")
    sequence_name: NonEmptyText | None = Field(
        None, description="Name of the sequence under test; checked when both are known."
    )
    sequence_version: PositiveInt | None = Field(
        None, description="Version the suite was written for; checked when both are known."
    )
    unmocked_handlers: Literal["fail", "empty_success"] = Field(
        "fail",
        description="A handler without a mock (built-ins that only compute excepted): fail "
        "the step and the case, or return {}.",
    )
    sequence: Annotated[SequenceDefinition | None, BeforeValidator(_sequence)] = Field(
        None, description="The sequence under test, inline (orch8-nb extension)."
    )
    sequence_file: NonEmptyText | None = Field(
        None,
        description="The sequence under test: a JSON file relative to this one "
        "(orch8-nb extension).",
    )
    cases: list[ContractCase] = Field(min_length=1, description="The cases.")

    _source: Path | None = PrivateAttr(None)
    _resolved: SequenceDefinition | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems: list[Problem] = []
        if self.schema_version != SCHEMA_VERSION:
            problems.append(
                Problem(
                    "schema_version",
                    f"unsupported contract schema_version {self.schema_version} "
                    f"(orch8-nb reads {SCHEMA_VERSION})",
                )
            )
        if self.sequence is not None and self.sequence_file is not None:
            problems.append(Problem("sequence_file", "give 'sequence' or 'sequence_file', "
                                    "not both"))  # fmt: skip
        first: dict[str, int] = {}
        for i, case in enumerate(self.cases):
            j = first.setdefault(case.name, i)
            if j != i:
                problems.append(
                    Problem(f"cases[{i}].name", f"duplicate case name (also cases[{j}])")
                )
        reject_all(problems)
        return self

    @property
    def source(self) -> Path | None:
        """The file this suite was read from, if any."""
        return self._source

    def case(self, name: str) -> ContractCase:
        """The case called ``name`` (``KeyError`` if there is none)."""
        for case in self.cases:
            if case.name == name:
                return case
        raise KeyError(name)
