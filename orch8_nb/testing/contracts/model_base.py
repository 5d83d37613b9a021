"""The base of the contract format's models, and its small field types."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, Strict

from orch8_nb.errors import InputValidationError
from orch8_nb.model._base import WireModel
from orch8_nb.model._types import StrictText
from orch8_nb.testing.contracts.errors import ContractError
from orch8_nb.testing.contracts.jsonpath import parse_path


class ContractModel(WireModel):
    """A JSON object of the contract format; unknown fields are errors."""

    error_class: ClassVar[type[InputValidationError]] = ContractError
    omit_none_fields: ClassVar[frozenset[str] | None] = None


def _valid_path(value: str) -> str:
    parse_path(value)  # ValueError names the bad character
    return value


JsonPath = Annotated[StrictText, AfterValidator(_valid_path)]
Number = Annotated[float, Strict()]
