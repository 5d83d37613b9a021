"""Date functions: ``format_date`` with a fixed whitelist of directives, ``day_of_week``.

Formatting is done here rather than with ``strftime`` so the output does not depend on the
platform's C library or locale, and unknown directives are an error instead of passing
through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ._args import expect_string
from ._fault import Fault
from ._scope import Scope
from ._values import check_string, is_number, type_name

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DEFAULT_FORMAT = "%Y-%m-%d"


def to_datetime(value: Any, what: str) -> datetime:
    """Epoch milliseconds (UTC) or an RFC 3339 / ISO 8601 string (no offset means UTC)."""
    if is_number(value):
        try:
            return _EPOCH + timedelta(milliseconds=value)
        except (OverflowError, ValueError):
            raise Fault(f"{what}: the value is out of the supported date range") from None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise Fault(f"{what}: {value[:40]!r} is not an RFC 3339 date-time") from None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    raise Fault(f"{what} needs epoch milliseconds or a date string, got {type_name(value)}")


def _offset(moment: datetime, colon: bool) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{mins:02d}"


_DIRECTIVES: dict[str, Callable[[datetime], str]] = {
    "Y": lambda d: f"{d.year:04d}",
    "y": lambda d: f"{d.year % 100:02d}",
    "m": lambda d: f"{d.month:02d}",
    "d": lambda d: f"{d.day:02d}",
    "e": lambda d: f"{d.day:2d}",
    "H": lambda d: f"{d.hour:02d}",
    "I": lambda d: f"{d.hour % 12 or 12:02d}",
    "M": lambda d: f"{d.minute:02d}",
    "S": lambda d: f"{d.second:02d}",
    "f": lambda d: f"{d.microsecond:06d}",
    "p": lambda d: "AM" if d.hour < 12 else "PM",
    "j": lambda d: f"{d.timetuple().tm_yday:03d}",
    "a": lambda d: _DAYS[d.weekday()][:3],
    "A": lambda d: _DAYS[d.weekday()],
    "b": lambda d: _MONTHS[d.month - 1][:3],
    "B": lambda d: _MONTHS[d.month - 1],
    "u": lambda d: str(d.isoweekday()),
    "w": lambda d: str(d.isoweekday() % 7),
    "z": lambda d: _offset(d, colon=False),
    "Z": lambda d: "UTC" if not d.utcoffset() else _offset(d, colon=True),
    "F": lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
    "T": lambda d: f"{d.hour:02d}:{d.minute:02d}:{d.second:02d}",
    "s": lambda d: str(int(d.timestamp())),
    "%": lambda d: "%",
}
ALLOWED_DIRECTIVES = "".join(f"%{key}" for key in _DIRECTIVES)


def format_moment(moment: datetime, pattern: str) -> str:
    pieces: list[str] = []
    i = 0
    while True:
        j = pattern.find("%", i)
        if j < 0:
            pieces.append(pattern[i:])
            break
        pieces.append(pattern[i:j])
        directive = pattern[j + 1 : j + 2]
        render = _DIRECTIVES.get(directive)
        if render is None:
            shown = f"'%{directive}'" if directive else "a trailing '%'"
            raise Fault(
                f"format_date(): unsupported directive {shown} (allowed: {ALLOWED_DIRECTIVES})"
            )
        pieces.append(render(moment))
        i = j + 2
    return check_string("".join(pieces), "format_date()")


def format_date(scope: Scope, args: Sequence[Any]) -> str:
    moment = to_datetime(args[0], "format_date()")
    pattern = expect_string(args[1], "format_date() format") if len(args) > 1 else DEFAULT_FORMAT
    return format_moment(moment, pattern)


def day_of_week(scope: Scope, args: Sequence[Any]) -> int:
    """0 = Monday .. 6 = Sunday, in the date's own offset (UTC for epoch milliseconds)."""
    return to_datetime(args[0], "day_of_week()").weekday()
