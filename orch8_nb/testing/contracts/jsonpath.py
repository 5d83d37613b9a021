"""Paths into JSON values (``order.items[0].sku``), JSON equality and JSON type names.

A path is dotted keys with ``[n]`` indexes: ``a.b[0].c``. Orch8's spelling ``a.b.0.c`` is
accepted too (a number indexes an array and names a key of an object), and ``["a.b"]``
quotes a key that contains dots or brackets. The empty path is the whole value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

Segment = str | int
_ABSENT: Any = object()
_KEY = re.compile(r"[^.\[\]]+")
_INDEX = re.compile(r"\[(\d+)\]")
_QUOTED = re.compile(r"""\[(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\]""")

#: JSON type names ``has_type`` understands.
JSON_TYPES = ("array", "boolean", "null", "number", "object", "string")


def parse_path(path: str) -> list[Segment]:
    """Split a path into keys (str) and indexes (int); raises ``ValueError`` if malformed."""
    segments: list[Segment] = []
    pos = 0
    expect_key = True  # at the start or right after a dot
    while pos < len(path):
        if path[pos] == "[":
            index = _INDEX.match(path, pos)
            quoted = None if index else _QUOTED.match(path, pos)
            if index:
                segments.append(int(index.group(1)))
                pos = index.end()
            elif quoted:
                raw = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
                segments.append(re.sub(r"\\(.)", r"\1", raw))
                pos = quoted.end()
            else:
                raise ValueError(f"bad index at character {pos + 1} of {path!r}")
            expect_key = False
        elif path[pos] == "." and not expect_key and pos + 1 < len(path):
            pos += 1
            expect_key = True
        elif expect_key and (key := _KEY.match(path, pos)):
            segments.append(key.group(0))
            pos = key.end()
            expect_key = False
        else:
            raise ValueError(f"unexpected {path[pos]!r} at character {pos + 1} of {path!r}")
    return segments


def resolve(value: Any, path: str) -> tuple[bool, Any]:
    """``(True, value at path)`` or ``(False, None)`` when some part of it is absent."""
    current = value
    for segment in parse_path(path):
        current = _step(current, segment)
        if current is _ABSENT:
            return False, None
    return True, current


def _step(current: Any, segment: Segment) -> Any:
    if isinstance(current, Mapping):
        return current.get(str(segment), _ABSENT)
    if isinstance(current, list):
        if isinstance(segment, str) and not segment.isdigit():
            return _ABSENT
        i = int(segment)
        return current[i] if i < len(current) else _ABSENT
    return _ABSENT


def json_type(value: Any) -> str:
    """The JSON type name of a decoded JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON sees it: ``1 == 1.0``, but ``true`` is not ``1``."""
    ta, tb = json_type(a), json_type(b)
    if ta != tb:
        return False
    if ta == "array":
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if ta == "object":
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def show(value: Any, limit: int = 200) -> str:
    """Compact JSON text of ``value`` for failure messages, shortened past ``limit``."""
    try:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    except ValueError:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
