"""JSON Schema of the sequence format, for the visual editor's generated forms."""

from __future__ import annotations

import copy
import functools
from typing import Any

from orch8_nb.model.sequence import SequenceDefinition

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BLOCK_REF = "#/$defs/Block"


@functools.cache
def _sequence_schema() -> dict[str, Any]:
    schema = SequenceDefinition.model_json_schema()
    union = _union_schema(schema)
    schema = _replace(schema, union)
    schema["$defs"]["Block"] = union
    return {"$schema": DIALECT, **schema}


def _union_schema(schema: dict[str, Any]) -> dict[str, Any]:
    # Pydantic inlines the discriminated union wherever it is used; name it once so the
    # editor can resolve "a block" through one $ref.
    union = schema["properties"]["blocks"]["items"]
    assert "oneOf" in union and "discriminator" in union, union
    return dict(union)


def _replace(node: Any, union: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if all(node.get(key) == value for key, value in union.items()):
            # Keep siblings such as a field's description next to the $ref.
            rest = {k: _replace(v, union) for k, v in node.items() if k not in union}
            return {"$ref": BLOCK_REF, **rest}
        return {key: _replace(value, union) for key, value in node.items()}
    if isinstance(node, list):
        return [_replace(item, union) for item in node]
    return node


def sequence_json_schema() -> dict[str, Any]:
    """Draft 2020-12 schema of a sequence, field descriptions included; durations are ms.

    Every block position is ``{"$ref": "#/$defs/Block"}``. Rules spanning the tree (unique
    ids, depth, block count) cannot be expressed here; the Python validation enforces them.
    """
    return copy.deepcopy(_sequence_schema())


def block_json_schema() -> dict[str, Any]:
    """Draft 2020-12 schema of a single block: a ``$ref`` into the sequence's ``$defs``."""
    full = _sequence_schema()
    return copy.deepcopy({"$schema": DIALECT, "$ref": BLOCK_REF, "$defs": full["$defs"]})
