"""State transforms applied to ``context.data`` when an instance moves to a new version.

Each operation works on dotted paths (``customer.address.city``): ``copy`` a value to a
new path, ``move`` it (copy, then remove the source), ``drop`` it. Operations run in
order, on a copy; a missing source path is an error naming the operation, so a plan
refuses the instance instead of moving it with half its data.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orch8_nb.errors import InputValidationError, Problem

OPS = ("copy", "move", "drop")


@dataclass(frozen=True, slots=True)
class TransformOp:
    op: str
    path: str  # the source (copy, move) or the path removed (drop)
    to: str | None = None


def parse_transform(spec: Sequence[Mapping[str, Any]] | None) -> list[TransformOp]:
    """``[{"op": "move", "from": "a.b", "to": "c"}, {"op": "drop", "path": "x"}]``."""
    if spec is None:
        return []
    problems: list[Problem] = []
    ops: list[TransformOp] = []
    for i, item in enumerate(spec):
        where = f"transform[{i}]"
        if not isinstance(item, Mapping):
            problems.append(Problem(where, "must be an object"))
            continue
        op = item.get("op")
        if op not in OPS:
            problems.append(Problem(f"{where}.op", f"must be one of {', '.join(OPS)}"))
            continue
        fields = ("path",) if op == "drop" else ("from", "to")
        unknown = sorted(set(item) - {"op", *fields})
        if unknown:
            problems.append(Problem(f"{where}.{unknown[0]}", "unknown field"))
        bad = [f for f in fields if not isinstance(item.get(f), str) or not item.get(f)]
        for field in bad:
            problems.append(Problem(f"{where}.{field}", "must be a non-empty dotted path"))
        if not bad and not unknown:
            source = item["path"] if op == "drop" else item["from"]
            ops.append(TransformOp(op, source, None if op == "drop" else item["to"]))
    if problems:
        raise InputValidationError(problems, what="state transform")
    return ops


def apply_transform(data: Mapping[str, Any], ops: list[TransformOp]) -> dict[str, Any]:
    """``data`` after ``ops``; raises ``KeyError`` naming a missing source path."""
    out = copy.deepcopy(dict(data))
    for i, op in enumerate(ops):
        value = _get(out, op.path, i)
        if op.op in ("move", "drop"):
            _delete(out, op.path)
        if op.op in ("copy", "move") and op.to is not None:
            _set(out, op.to, copy.deepcopy(value))
    return out


def _get(data: dict[str, Any], path: str, index: int) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"transform[{index}]: context.data.{path} does not exist")
        node = node[part]
    return node


def _delete(data: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[part]
    del node[last]


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value
