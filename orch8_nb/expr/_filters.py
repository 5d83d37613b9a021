"""Template filters: ``{{ value | name(args) }}``.

A filter receives the value so far. Null passes through every filter except ``default`` so
a later fallback in the chain still applies (``{{ outputs.a.name | upper | 'anon' }}``).
String filters accept numbers and booleans by their text; objects and arrays are an error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from ._args import expect_array, expect_int, expect_number, expect_string
from ._builtin import FilterSpec
from ._fault import Fault
from ._limits import MAX_ROUND_DIGITS, MAX_STRING_BYTES
from ._values import check_array, check_string, is_number, number, to_text, type_name

_HASHES: dict[str, Callable[[bytes], Any]] = {
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
    "sha1": lambda data: hashlib.sha1(data, usedforsecurity=False),
    "md5": lambda data: hashlib.md5(data, usedforsecurity=False),
}
HASH_ALGORITHMS = frozenset(_HASHES)
_EXACT_FLOAT = 1e15  # beyond this a double has no fractional digits left to round


def _text(value: Any, name: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or is_number(value):
        return to_text(value)
    raise Fault(f"filter '{name}' needs a string, got {type_name(value)}")


def _utf8(text: str, name: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise Fault(f"filter '{name}': text is not valid Unicode") from None


def _string_filter(name: str, apply: Callable[[str], str]) -> Callable[[Any, Sequence[Any]], Any]:
    def run(value: Any, args: Sequence[Any]) -> Any:
        if value is None:
            return None
        return check_string(apply(_text(value, name)), f"filter '{name}'")

    return run


def _url_encode(text: str) -> str:
    return quote(_utf8(text, "url_encode"), safe="")


def _base64(text: str) -> str:
    return base64.b64encode(_utf8(text, "base64")).decode("ascii")


def _base64_decode(text: str) -> str:
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise Fault("filter 'base64_decode': input is not base64-encoded UTF-8 text") from None


def _abs(value: Any, args: Sequence[Any]) -> Any:
    if value is None:
        return None
    return number(abs(expect_number(value, "filter 'abs' input")))


def _replace(value: Any, args: Sequence[Any]) -> Any:
    if value is None:
        return None
    text = _text(value, "replace")
    old, new = _text(args[0], "replace"), _text(args[1], "replace")
    hits = text.count(old)
    if len(text) + hits * (len(new) - len(old)) > MAX_STRING_BYTES:
        raise Fault(f"filter 'replace' result is larger than {MAX_STRING_BYTES // 2**20} MiB")
    return check_string(text.replace(old, new), "filter 'replace'")


def _default(value: Any, args: Sequence[Any]) -> Any:
    return args[0] if value is None else value


def _truncate(value: Any, args: Sequence[Any]) -> Any:
    """Keep the first ``n`` characters and append ``suffix`` (default "...") if cut."""
    if value is None:
        return None
    text = _text(value, "truncate")
    limit = expect_int(args[0], "filter 'truncate' length")
    if limit < 0:
        raise Fault("filter 'truncate' length must not be negative")
    suffix = _text(args[1], "truncate") if len(args) > 1 else "..."
    if len(text) <= limit:
        return text
    return check_string(text[:limit] + suffix, "filter 'truncate'")


def _join(value: Any, args: Sequence[Any]) -> Any:
    if value is None:
        return None
    items = expect_array(value, "filter 'join' input")
    separator = _text(args[0], "join") if args else ","
    pieces = [to_text(item) for item in items]
    size = sum(map(len, pieces)) + len(separator) * max(len(pieces) - 1, 0)
    if size > MAX_STRING_BYTES:
        raise Fault(f"filter 'join' result is larger than {MAX_STRING_BYTES // 2**20} MiB")
    return check_string(separator.join(pieces), "filter 'join'")


def _split(value: Any, args: Sequence[Any]) -> Any:
    """Split on ``sep`` (default ","); an empty separator splits into characters."""
    if value is None:
        return None
    text = _text(value, "split")
    separator = _text(args[0], "split") if args else ","
    check_array(len(text) if not separator else text.count(separator) + 1, "filter 'split'")
    return list(text) if not separator else text.split(separator)


def _hash(value: Any, args: Sequence[Any]) -> Any:
    """Hex digest of the value's text (objects and arrays hash their compact JSON)."""
    if value is None:
        return None
    algorithm = expect_string(args[0], "filter 'hash' algorithm").lower() if args else "sha256"
    digest = _HASHES.get(algorithm)
    if digest is None:
        raise Fault(
            f"filter 'hash': unknown algorithm {algorithm[:20]!r} (use {', '.join(_HASHES)})"
        )
    return str(digest(_utf8(to_text(value), "hash")).hexdigest())


def _round(value: Any, args: Sequence[Any]) -> Any:
    """Round half away from zero to ``n`` decimals (default 0, which yields an integer)."""
    if value is None:
        return None
    amount = number(expect_number(value, "filter 'round' input"))
    places = expect_int(args[0], "filter 'round' places") if args else 0
    if not 0 <= places <= MAX_ROUND_DIGITS:
        raise Fault(f"filter 'round' places must be between 0 and {MAX_ROUND_DIGITS}")
    if isinstance(amount, int):
        return amount
    if abs(amount) >= _EXACT_FLOAT:
        return number(int(amount)) if places == 0 else amount
    try:
        rounded = Decimal(repr(amount)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    except InvalidOperation:
        raise Fault("filter 'round': cannot round this number") from None
    return int(rounded) if places == 0 else float(rounded)


FILTERS: dict[str, FilterSpec] = {
    "upper": FilterSpec("upper", 0, 0, _string_filter("upper", str.upper)),
    "lower": FilterSpec("lower", 0, 0, _string_filter("lower", str.lower)),
    "trim": FilterSpec("trim", 0, 0, _string_filter("trim", str.strip)),
    "abs": FilterSpec("abs", 0, 0, _abs),
    "url_encode": FilterSpec("url_encode", 0, 0, _string_filter("url_encode", _url_encode)),
    "base64": FilterSpec("base64", 0, 0, _string_filter("base64", _base64)),
    "base64_decode": FilterSpec(
        "base64_decode", 0, 0, _string_filter("base64_decode", _base64_decode)
    ),
    "replace": FilterSpec("replace(old, new)", 2, 2, _replace),
    "default": FilterSpec("default(value)", 1, 1, _default),
    "truncate": FilterSpec("truncate(n[, suffix])", 1, 2, _truncate),
    "join": FilterSpec("join([separator])", 0, 1, _join),
    "split": FilterSpec("split([separator])", 0, 1, _split),
    "hash": FilterSpec("hash([sha256 | sha1 | md5 | sha512])", 0, 1, _hash),
    "round": FilterSpec("round([places])", 0, 1, _round),
}
