"""Where a path starts: the roots of templates and expressions.

Roots are resolved once, at parse time, to a canonical name (``steps`` becomes ``outputs``,
``input.x`` becomes ``data.input.x``, ``context.config`` becomes ``config``), so evaluation is
a dictionary lookup. Templates reject unknown roots (a bare ``{{item}}`` is almost always a
mistake for ``{{context.data.item}}``); expressions read a bare path from ``context.data``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._ast import Path, Segment
from ._fault import Fault
from ._scope import Scope

CONTEXT_SECTIONS = ("data", "config", "audit", "runtime")
ROOT_NAMES = frozenset(
    {"context", "data", "config", "outputs", "steps", "input", "instance_id", "runtime", "state"}
)
_ROOTS_TEXT = (
    "context.data, context.config, context.audit, context.runtime, data, config, "
    "outputs.<block> (or steps.<block>), input, instance_id, runtime, state"
)


def _context(scope: Scope) -> dict[str, Any]:
    return {
        "data": scope.data,
        "config": scope.config,
        "audit": scope.audit,
        "runtime": scope.runtime,
    }


ROOT_GETTERS: dict[str, Callable[[Scope], Any]] = {
    "data": lambda scope: scope.data,
    "config": lambda scope: scope.config,
    "audit": lambda scope: scope.audit,
    "runtime": lambda scope: scope.runtime,
    "outputs": lambda scope: scope.outputs,
    "state": lambda scope: scope.state,
    "instance_id": lambda scope: scope.instance_id,
    "context": _context,
}


def resolve_path(name: str, segments: tuple[Segment, ...], pos: int, *, template: bool) -> Path:
    """Map a source path (first name + segments) to a canonical :class:`Path`."""
    if name == "context":
        if segments and isinstance(segments[0], str):
            section = segments[0]
            if section not in CONTEXT_SECTIONS:
                raise Fault(
                    f"unknown context section 'context.{section}'",
                    pos,
                    "use context.data, context.config, context.audit or context.runtime",
                )
            return Path(section, segments[1:], pos)
        return Path("context", segments, pos)
    if name == "steps":
        return Path("outputs", segments, pos)
    if name == "input":
        return Path("data", ("input", *segments), pos)
    if name in ROOT_NAMES:
        return Path(name, segments, pos)
    if template:
        raise Fault(
            f"unknown root '{name}'",
            pos,
            f"use 'context.data.{name}' to read context data; templates read {_ROOTS_TEXT}",
        )
    return Path("data", (name, *segments), pos)
