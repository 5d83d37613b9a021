"""Turn pydantic error locations into the JSON paths our errors promise.

Pydantic reports ``('blocks', 0, 'step', 'retry')``; users read ``blocks[0].retry``. The
discriminator tag it inserts after each union position is dropped, as are its internal
segments such as ``function-after[...]`` and ``[key]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from orch8_nb.errors import InputValidationError, Problem
from orch8_nb.model.block_type import BLOCK_TYPE_NAMES
from orch8_nb.model.limits import MAX_NESTING_DEPTH

# Fields that hold one block (saga steps): a tag segment may follow them.
_SINGLE_BLOCK_FIELDS = frozenset({"action", "compensation"})
_INTERNAL_SEGMENT = re.compile(r"^[a-z][a-z0-9_-]*\[.*\]$|^\[key\]$")
_EXPECTED_TYPES = ", ".join(sorted(BLOCK_TYPE_NAMES))


def join_path(prefix: str, path: str) -> str:
    """Join two path pieces: ``join_path("blocks[0]", "retry")`` -> ``blocks[0].retry``."""
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def loc_to_path(loc: Sequence[int | str], prefix: str = "") -> str:
    """Render a pydantic ``loc`` as ``blocks[0].branches[1][0].handler`` under ``prefix``."""
    path = prefix
    previous: int | str | None = None
    for segment in loc:
        if isinstance(segment, int):
            path += f"[{segment}]"
        elif _is_internal(segment, previous):
            continue
        else:
            path = f"{path}.{segment}" if path else segment
        previous = segment
    return path


def _is_internal(segment: str, previous: int | str | None) -> bool:
    if segment in BLOCK_TYPE_NAMES and (
        previous is None or isinstance(previous, int) or previous in _SINGLE_BLOCK_FIELDS
    ):
        return True
    return _INTERNAL_SEGMENT.match(segment) is not None


def problems_from_validation_error(exc: ValidationError, prefix: str = "") -> list[Problem]:
    """Every problem in ``exc`` with its JSON path, expanding our own nested errors."""
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        path = loc_to_path(error["loc"], prefix)
        nested = (error.get("ctx") or {}).get("error")
        if isinstance(nested, InputValidationError):
            problems.extend(Problem(join_path(path, p.path), p.message) for p in nested.problems)
        else:
            problems.append(Problem(path, _message(error)))
    return problems


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "union_tag_invalid":
        return f"unknown block type {ctx.get('tag')!r}; expected one of: {_EXPECTED_TYPES}"
    if kind == "union_tag_not_found":
        return f"block has no 'type'; expected one of: {_EXPECTED_TYPES}"
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} items, got {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} items, got {ctx.get('actual_length')}"
    if kind in ("recursion_loop", "recursion_depth_exceeded"):
        return f"nested far too deeply (the limit is {MAX_NESTING_DEPTH} levels of blocks)"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return str(error["msg"])
