"""Mocks: what a handler (or one block) answers in a case."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from orch8_nb.model._base import reject
from orch8_nb.model._types import NonEmptyText, StrictBoolean, StrictText
from orch8_nb.testing.contracts.model_base import ContractModel

MOCK_TYPES = frozenset({"success", "failure", "attempts", "echo", "recorded"})
ATTEMPT_KINDS = frozenset({"success", "failure"})


class MockBase(ContractModel):
    handler: NonEmptyText | None = Field(
        None, description="Answer every step that calls this handler."
    )
    block: NonEmptyText | None = Field(
        None, description="Answer only this block; wins over a mock of its handler."
    )

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if self.handler is None and self.block is None:
            reject("", "a mock needs a 'handler' or a 'block' to answer for")
        if self.handler is not None and self.block is not None:
            reject("", "a mock answers for a 'handler' or a 'block', not both")
        return self

    @property
    def target(self) -> str:
        return f"block {self.block!r}" if self.block is not None else f"handler {self.handler!r}"


class SuccessMock(MockBase):
    """Every call returns ``output``."""

    type: Literal["success"] = Field(description="Mock type tag.")
    output: Any = Field(None, description="The step's output (any JSON).")


class FailureMock(MockBase):
    """Every call fails."""

    type: Literal["failure"] = Field(description="Mock type tag.")
    message: StrictText = Field(description="The failure message.")
    retryable: StrictBoolean = Field(
        False, description="True: a retryable failure (the step's retry policy applies)."
    )
    code: StrictText | None = Field(None, description="Error code (orch8-nb extension).")
    details: Any = Field(None, description="Error details (orch8-nb extension).")


class SuccessAttempt(ContractModel):
    kind: Literal["success"] = Field(description="Outcome tag.")
    output: Any = Field(None, description="The step's output.")


class FailureAttempt(ContractModel):
    kind: Literal["failure"] = Field(description="Outcome tag.")
    message: StrictText = Field(description="The failure message.")
    retryable: StrictBoolean = Field(False, description="True: a retryable failure.")
    code: StrictText | None = Field(None, description="Error code (orch8-nb extension).")
    details: Any = Field(None, description="Error details (orch8-nb extension).")


Attempt = Annotated[SuccessAttempt | FailureAttempt, Field(discriminator="kind")]


class AttemptsMock(MockBase):
    """Attempt n of each block gets ``attempts[n]``; the last entry repeats."""

    type: Literal["attempts"] = Field(description="Mock type tag.")
    attempts: list[Attempt] = Field(min_length=1, description="Outcome of each attempt.")


class EchoMock(MockBase):
    """Every call returns what the handler received (orch8-nb extension).

    The output is ``{"block_id", "attempt", "params", "context"}``: the resolved params and
    the context as ``context_access`` lets the step see it.
    """

    type: Literal["echo"] = Field(description="Mock type tag.")


class RecordedMock(MockBase):
    """Orch8 replays outputs captured by ``orch8 test record``; orch8-nb cannot."""

    type: Literal["recorded"] = Field(description="Mock type tag.")

    @model_validator(mode="after")
    def _refuse(self) -> Self:
        reject(
            "type",
            "'recorded' mocks are not supported by orch8-nb (there is no recording to "
            "replay); use a 'success' mock with the recorded output",
        )


Mock = Annotated[
    SuccessMock | FailureMock | AttemptsMock | EchoMock | RecordedMock, Field(discriminator="type")
]
