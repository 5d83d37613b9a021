"""Durations: accepted in every form a user types, stored as integer milliseconds.

Orch8's JSON quirk is kept: an integer is milliseconds but a *float* is seconds
(``1.5`` -> 1500). Strings take units (``"250ms"``, ``"1.5s"``, ``"2m"``, ``"1h30m"``,
``"1d"``); a bare number in a string is refused because ms-or-seconds would be a guess.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from orch8_nb.model.limits import MAX_INT64

_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_PART = r"(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)"
_WHOLE = re.compile(rf"\s*(?:{_PART}\s*)+")
_PARTS = re.compile(_PART)
_HINT = "use milliseconds (int), seconds (float), a timedelta or text like '250ms', '1.5s', '1h30m'"


def parse_duration_ms(value: Any) -> int:
    """Normalise any accepted duration form to non-negative integer milliseconds."""
    if isinstance(value, bool):
        raise ValueError(f"a duration cannot be a boolean; {_HINT}")
    if isinstance(value, int):
        return _checked(Decimal(value), value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a duration must be finite, got {value!r}")
        return _checked(Decimal(repr(value)) * 1000, value)
    if isinstance(value, timedelta):
        micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
        return _checked(Decimal(micros) / 1000, value)
    if isinstance(value, str):
        return _checked(_parse_text(value), value)
    raise ValueError(f"expected a duration, got {type(value).__name__}; {_HINT}")


def _parse_text(text: str) -> Decimal:
    if len(text) > 64:
        raise ValueError("duration text is too long")
    if text.strip().startswith("-"):
        raise ValueError(f"a duration cannot be negative, got {text!r}")
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"cannot read {text!r} as a duration; {_HINT}")
    return sum(
        (Decimal(number) * _UNIT_MS[unit] for number, unit in _PARTS.findall(text)),
        Decimal(0),
    )


def _checked(ms: Decimal, original: Any) -> int:
    if ms < 0:
        raise ValueError(f"a duration cannot be negative, got {original!r}")
    whole = int(ms.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if whole > MAX_INT64:
        raise ValueError(f"duration {original!r} is too large")
    return whole


def parse_duration_seconds(value: Any) -> int:
    """Whole seconds, for the few Orch8 fields counted in seconds (``loop.poll_interval``).

    An int or float is seconds; text and timedelta must come to a whole number of seconds.
    """
    if isinstance(value, bool):
        raise ValueError("a duration in seconds cannot be a boolean")
    if isinstance(value, int | float):
        ms = parse_duration_ms(float(value)) if isinstance(value, float) else value * 1000
    else:
        ms = parse_duration_ms(value)
    if ms < 0:
        raise ValueError(f"a duration cannot be negative, got {value!r}")
    if ms % 1000:
        raise ValueError(f"{value!r} is not a whole number of seconds")
    return ms // 1000


def format_duration_ms(ms: int) -> str:
    """Short human form: ``250ms``, ``1.5s``, ``3m 12s``, ``1h 30m``, ``2d``."""
    if ms < 1000:
        return f"{ms}ms"
    if ms < 60_000:
        return _seconds(ms)
    parts: list[str] = []
    rest = ms
    for unit in ("d", "h", "m"):
        count, rest = divmod(rest, _UNIT_MS[unit])
        if count:
            parts.append(f"{count}{unit}")
    if rest:
        parts.append(_seconds(rest))
    return " ".join(parts)


def _seconds(ms: int) -> str:
    whole, frac = divmod(ms, 1000)
    return f"{whole}.{frac:03d}".rstrip("0") + "s" if frac else f"{whole}s"


DurationMs = Annotated[
    int,
    BeforeValidator(parse_duration_ms),
    WithJsonSchema({"type": "integer", "minimum": 0}),
]
"""Milliseconds; see the module docstring for the accepted input forms."""

DurationSeconds = Annotated[
    int,
    BeforeValidator(parse_duration_seconds),
    WithJsonSchema({"type": "integer", "minimum": 0}),
]
"""Whole seconds (Orch8 counts ``loop.poll_interval`` in seconds, not milliseconds)."""
