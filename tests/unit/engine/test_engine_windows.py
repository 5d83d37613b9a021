"""Send windows: the handler runs only inside a daily window of local hours."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orch8_nb as o8
from orch8_nb.engine import Engine
from orch8_nb.engine.windows import window_opens
from orch8_nb.model.blocks.step_options import SendWindow


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


def at(ms_value: int | None, zone: str = "UTC") -> str | None:
    if ms_value is None:
        return None
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(ms_value / 1000, tz=UTC).astimezone(ZoneInfo(zone)).isoformat()


def test_day_windows_weekdays_and_overnight_windows() -> None:
    office = SendWindow(start_hour=9, end_hour=17, days=[0, 1, 2, 3, 4])
    assert window_opens(office, ms("2026-01-05T10:00:00+00:00"), "UTC") is None  # Monday
    assert at(window_opens(office, ms("2026-01-05T18:00:00+00:00"), "UTC")) == (
        "2026-01-06T09:00:00+00:00"
    )
    assert at(window_opens(office, ms("2026-01-03T12:00:00+00:00"), "UTC")) == (
        "2026-01-05T09:00:00+00:00"  # Saturday noon waits for Monday
    )
    paris = at(window_opens(office, ms("2026-01-05T07:30:00+00:00"), "Europe/Paris"),
               "Europe/Paris")  # fmt: skip
    assert paris == "2026-01-05T09:00:00+01:00"
    night = SendWindow(start_hour=22, end_hour=6)
    assert window_opens(night, ms("2026-01-05T23:00:00+00:00"), "UTC") is None
    assert window_opens(night, ms("2026-01-06T05:59:00+00:00"), "UTC") is None
    assert at(window_opens(night, ms("2026-01-06T06:00:00+00:00"), "UTC")) == (
        "2026-01-06T22:00:00+00:00"
    )


def test_a_step_waits_for_its_window(make_engine: Any) -> None:
    engine: Engine = make_engine("sqlite://:memory:", autostart=False)
    seq = o8.sequence("office", o8.step("call", "noop", send_window={"start_hour": 9,
                                                                    "end_hour": 17}))  # fmt: skip
    inst = engine.create_instance(seq)  # the virtual clock starts at midnight UTC
    engine.tick_once()
    assert inst.state == "scheduled"
    engine.run_until_idle()
    [node] = inst.tree()
    assert inst.state == "completed"
    assert node.completed_at is not None and node.completed_at.hour == 9
