"""What every block shares: a ``type`` tag and a non-empty ``id``."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ConfigDict, Field

from orch8_nb.model._base import DefinitionModel
from orch8_nb.model._types import NonEmptyText
from orch8_nb.model.block_type import BlockType


def _require_type(schema: dict[str, Any]) -> None:
    # ``type`` has a Python default for convenience, but JSON must always say it.
    required = schema.setdefault("required", [])
    if "type" not in required:
        required.insert(0, "type")


class BlockBase(DefinitionModel):
    """Base of the eleven block models; ``block_type`` is the same value as ``type``."""

    model_config = ConfigDict(json_schema_extra=_require_type)
    block_type: ClassVar[BlockType]

    type: str
    id: NonEmptyText = Field(
        description="Unique block id in the sequence; the key of its output (outputs.<id>)."
    )
