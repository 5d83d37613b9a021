"""Points in time: RFC 3339 on the wire, aware UTC datetimes in Python, epoch ms in storage.

Naive datetimes are refused: a time without an offset means different instants on
different machines, and the engine compares times across processes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ms_to_datetime(ms: int) -> datetime:
    """Epoch milliseconds (the storage form) to an aware UTC datetime."""
    return _EPOCH + timedelta(milliseconds=ms)


def datetime_to_ms(moment: datetime) -> int:
    """An aware datetime to epoch milliseconds (sub-millisecond part dropped)."""
    if moment.tzinfo is None:
        raise ValueError("datetime has no timezone; attach one (e.g. tzinfo=UTC)")
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def parse_timestamp(value: Any) -> datetime:
    """Accept an aware datetime, RFC 3339 text or integer epoch ms; return aware UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not an RFC 3339 timestamp: {value!r}") from None
    elif isinstance(value, int) and not isinstance(value, bool):
        return ms_to_datetime(value)
    else:
        raise ValueError(f"expected an RFC 3339 timestamp, got {type(value).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timestamp needs a UTC offset (e.g. 'Z'): {value!s}")
    return moment.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` suffix; microseconds only when present."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


Timestamp = Annotated[
    datetime,
    BeforeValidator(parse_timestamp),
    PlainSerializer(format_timestamp, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""An instant; see the module docstring for the accepted forms."""
