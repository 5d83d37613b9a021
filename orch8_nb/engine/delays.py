"""When a step's ``delay`` ends: a duration, business time, or a local wall-clock time.

- ``duration`` (ms) after the step is reached, plus up to ``jitter`` ms at random.
- ``business_days_only``: the duration counts only time on business days (Monday to
  Friday, minus ``holidays`` and ``context.config.holidays``), in the delay's timezone.
- ``fire_at_local``: a naive local date-time in ``timezone`` (default: the instance's)
  instead of a duration; a time inside a DST gap rolls forward, an ambiguous one fires at
  its first occurrence, and a time already past fires at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAY_MS = 86_400_000


def delay_until(
    spec: Any,
    now_ms: int,
    *,
    instance_timezone: str,
    config_holidays: Iterable[Any] = (),
    random: float = 0.0,
) -> int:
    """Epoch ms at which the delay ends (``random`` in [0, 1) scales the jitter)."""
    zone = ZoneInfo(spec.timezone or instance_timezone)
    jitter = int(random * int(spec.jitter)) if spec.jitter else 0
    if spec.fire_at_local:
        local = datetime.fromisoformat(spec.fire_at_local).replace(tzinfo=zone, fold=0)
        return max(now_ms, _to_ms(local)) + jitter
    duration = int(spec.duration)
    if not spec.business_days_only:
        return now_ms + duration + jitter
    holidays = {str(d) for d in (*spec.holidays, *config_holidays) if isinstance(d, str)}
    return _business_time(now_ms, duration, zone, holidays) + jitter


def _business_time(start_ms: int, duration: int, zone: ZoneInfo, holidays: set[str]) -> int:
    cursor = datetime.fromtimestamp(start_ms / 1000, tz=UTC).astimezone(zone)
    remaining = duration
    for _ in range(3660):  # ten years of days: bounds a holiday list that blocks everything
        midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time())
        next_day = midnight.replace(tzinfo=zone)
        if _business_day(cursor.date(), holidays):
            left_today = _to_ms(next_day) - _to_ms(cursor)
            if remaining <= left_today:
                return _to_ms(cursor) + remaining
            remaining -= left_today
        cursor = next_day
    raise ValueError("business_days_only delay found no business day within ten years")


def _business_day(day: date, holidays: set[str]) -> bool:
    return day.weekday() < 5 and day.isoformat() not in holidays


def _to_ms(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp() * 1000)
