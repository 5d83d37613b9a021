"""JSON value helpers: truthiness, text rendering, equality, and the size guards.

Values are plain Python JSON (``None``, ``bool``, ``int``, ``float``, ``str``, lists, dicts);
tuples and other ``Mapping`` types from a :class:`Scope` are accepted as arrays and objects.
``bool`` is a subclass of ``int`` in Python but never a number here, as in JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from ._fault import Fault
from ._limits import INT_MAX, INT_MIN, MAX_ARRAY_ELEMENTS, MAX_STRING_BYTES, MAX_VALUE_DEPTH

_LARGEST_EXACT_FLOAT = 1e16


def is_number(value: Any) -> bool:
    """True for ints and floats, never for booleans."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_array(value: Any) -> bool:
    return isinstance(value, list | tuple)


def is_object(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def type_name(value: Any) -> str:
    """The JSON type name used in error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if is_array(value):
        return "array"
    if is_object(value):
        return "object"
    return type(value).__name__


def truthy(value: Any) -> bool:
    """Orch8 truthiness: null, false, 0, "" and [] are falsy; every object (even {}) is truthy."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, str | list | tuple):
        return len(value) > 0
    if isinstance(value, int | float):
        return value != 0
    return True


def number(value: int | float) -> int | float:
    """Keep results JSON-sized: ints beyond 64 bits become floats, non-finite floats fail."""
    if isinstance(value, int):
        if INT_MIN <= value <= INT_MAX:
            return value
        try:
            value = float(value)
        except OverflowError:
            raise Fault("number out of range") from None
    if not math.isfinite(value):
        raise Fault("number out of range")
    return value


def format_number(value: int | float) -> str:
    """Integral floats print without ``.0`` so ``{{ 6 / 2 }}``-style values read naturally."""
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:
            raise Fault("integer too large to print") from None
    if value.is_integer() and abs(value) < _LARGEST_EXACT_FLOAT:
        return str(int(value))
    return repr(value)


def to_text(value: Any) -> str:
    """How a value reads inside a string: null is empty, containers are compact JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return format_number(value)
    return to_json(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise Fault(f"a {type(value).__name__} value cannot be written as JSON")


def to_json(value: Any, *, sort_keys: bool = False) -> str:
    """Compact JSON text (non-ASCII kept as is), bounded by the string cap."""
    try:
        text = json.dumps(
            value,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
            sort_keys=sort_keys,
            default=_json_default,
        )
    except RecursionError:
        raise Fault("value nested too deeply to write as JSON") from None
    except (ValueError, TypeError) as exc:
        raise Fault(f"value cannot be written as JSON ({exc})") from None
    return check_string(text, "json")


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def check_string(text: str, what: str) -> str:
    """Fail if ``text`` exceeds MAX_STRING_BYTES; cheap for the common short string."""
    size = len(text)
    if size > MAX_STRING_BYTES // 4 and (
        size > MAX_STRING_BYTES or utf8_length(text) > MAX_STRING_BYTES
    ):
        raise Fault(f"{what} result is larger than {MAX_STRING_BYTES // (1024 * 1024)} MiB")
    return text


def check_array(size: int, what: str) -> None:
    if size > MAX_ARRAY_ELEMENTS:
        raise Fault(f"{what}: arrays are limited to {MAX_ARRAY_ELEMENTS:,} elements")


def json_equal(left: Any, right: Any, depth: int = 0) -> bool:
    """Deep JSON equality: 1 == 1.0, but true != 1 and "1" != 1."""
    if depth > MAX_VALUE_DEPTH:
        raise Fault("value nested too deeply to compare")
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if is_number(left):
        return is_number(right) and left == right
    if isinstance(left, str) or left is None:
        return type(left) is type(right) and left == right
    if is_array(left):
        return (
            is_array(right)
            and len(left) == len(right)
            and all(json_equal(a, b, depth + 1) for a, b in zip(left, right, strict=True))
        )
    if is_object(left):
        if not is_object(right) or len(left) != len(right):
            return False
        return all(k in right and json_equal(v, right[k], depth + 1) for k, v in left.items())
    return False


def hash_key(value: Any, depth: int = 0) -> Any:
    """A hashable key such that equal JSON values (by :func:`json_equal`) get equal keys."""
    if depth > MAX_VALUE_DEPTH:
        raise Fault("value nested too deeply")
    if value is None or isinstance(value, bool | str):
        return (type(value).__name__, value)
    if isinstance(value, float) and value.is_integer():
        return ("n", int(value))
    if isinstance(value, int | float):
        return ("n", value)
    if is_array(value):
        return ("a", tuple(hash_key(item, depth + 1) for item in value))
    if is_object(value):
        items = sorted((str(k), hash_key(v, depth + 1)) for k, v in value.items())
        return ("o", tuple(items))
    raise Fault(f"a {type(value).__name__} value is not JSON")


def copy_json(value: Any, depth: int = 0) -> Any:
    """A fresh copy of the containers in ``value`` so callers can mutate what they receive."""
    if isinstance(value, str | int | float) or value is None:
        return value
    if depth > MAX_VALUE_DEPTH:
        raise Fault("value nested too deeply to copy")
    if isinstance(value, list | tuple):
        return [copy_json(item, depth + 1) for item in value]
    if is_object(value):
        return {key: copy_json(item, depth + 1) for key, item in value.items()}
    return value
