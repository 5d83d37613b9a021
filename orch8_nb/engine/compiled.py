"""A registered sequence version, parsed once and indexed for the hot path."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from orch8_nb.errors import UnsupportedFeatureError
from orch8_nb.model import SequenceDefinition
from orch8_nb.model.walk import iter_blocks

#: Fields that identify a version rather than describe its behaviour.
_IDENTITY_FIELDS = ("id", "version", "created_at", "deprecated", "status")


def fingerprint(definition: dict[str, Any]) -> str:
    """SHA-256 of the behaviour-relevant part of a definition (canonical JSON)."""
    body = {k: v for k, v in definition.items() if k not in _IDENTITY_FIELDS}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(slots=True)
class CompiledSequence:
    id: str
    definition: SequenceDefinition
    blocks_by_id: dict[str, Any] = field(default_factory=dict)
    handlers: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, seq_id: str, definition: SequenceDefinition) -> CompiledSequence:
        compiled = cls(seq_id, definition)
        for ref in iter_blocks(definition.blocks):
            block = ref.block
            compiled.blocks_by_id[block.id] = block
            if block.type == "step":
                compiled.handlers.add(block.handler)
        return compiled

    def block(self, block_id: str) -> Any:
        return self.blocks_by_id[block_id]


def check_supported(definition: SequenceDefinition, supported_types: frozenset[str]) -> None:
    """Refuse, with the block's path, features this engine version cannot execute yet."""
    for ref in iter_blocks(definition.blocks):
        path, block = ref.path, ref.block
        if block.type not in supported_types:
            raise UnsupportedFeatureError(
                f"{path} ({block.id!r}): '{block.type}' blocks are not executed by this version "
                "of orch8-nb yet"
            )
        if block.type == "step" and block.wait_for_input is not None:
            raise UnsupportedFeatureError(
                f"{path}.wait_for_input ({block.id!r}): human-input gates are not executed by "
                "this version of orch8-nb yet"
            )
