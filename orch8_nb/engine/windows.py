"""Send windows: a step's handler runs only inside a daily window of local hours.

``send_window: {start_hour, end_hour, days}`` in the instance's timezone; ``end_hour`` is
exclusive, ``days`` lists allowed weekdays (0 = Monday; empty: every day). A window whose
start is after its end runs overnight (``22`` to ``6``), and its early hours belong to
the day it started on. Outside the window the step waits, on a timer, for the next
opening; every attempt (retries too) is checked.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo


def window_opens(window: Any, now_ms: int, timezone: str) -> int | None:
    """``None`` if ``now_ms`` is inside the window, else when it next opens (epoch ms)."""
    zone = ZoneInfo(timezone)
    local = datetime.fromtimestamp(now_ms / 1000, tz=UTC).astimezone(zone)
    start, end = int(window.start_hour), int(window.end_hour)

    def day_ok(day: datetime) -> bool:
        return not window.days or day.weekday() in window.days

    if start < end:
        inside = start <= local.hour < end and day_ok(local)
    else:  # overnight
        inside = (local.hour >= start and day_ok(local)) or (
            local.hour < end and day_ok(local - timedelta(days=1))
        )
    if inside:
        return None
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        opening = datetime(day.year, day.month, day.day, start, tzinfo=zone)
        if opening > local and day_ok(opening):
            return int(opening.astimezone(UTC).timestamp() * 1000)
    raise ValueError("send_window never opens")  # days is non-empty and validated
