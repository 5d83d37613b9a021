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


#: Step fields this version validates but does not execute yet (refused, never ignored).
_STEP_FIELDS_LATER = {"compensation": "receipt-backed compensations"}
#: Cleanup lists whose top-level steps run once when the instance fails or is cancelled.
_CLEANUP_FIELDS = ("on_failure", "on_cancel")
_PLUGIN_PREFIXES = ("wasm://", "grpc://", "ap://")


def check_supported(definition: SequenceDefinition, supported_types: frozenset[str]) -> None:
    """Refuse, naming the path, what this engine version cannot execute yet.

    A definition that validates but would silently lose behaviour is worse than one that
    is refused: each refusal says what is missing and where.
    """
    problems: list[str] = []
    for name in _CLEANUP_FIELDS:
        for i, block in enumerate(getattr(definition, name)):
            if block.type != "step":
                problems.append(
                    f"{name}[{i}] ({block.id!r}): cleanup lists run steps only, not "
                    f"'{block.type}' blocks"
                )
    for ref in iter_blocks(definition.blocks):
        path, block = ref.path, ref.block
        if block.type not in supported_types:
            problems.append(f"{path} ({block.id!r}): '{block.type}' blocks are not executed yet")
            continue
        if block.type != "step":
            continue
        for name, what in _STEP_FIELDS_LATER.items():
            if getattr(block, name, None) is not None:
                problems.append(f"{path}.{name} ({block.id!r}): {what} are not executed yet")
        if block.handler.startswith(_PLUGIN_PREFIXES):
            problems.append(f"{path}.handler ({block.id!r}): plugin handlers are not available yet")
    if problems:
        raise UnsupportedFeatureError(
            "this sequence uses features orch8-nb does not execute yet:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
