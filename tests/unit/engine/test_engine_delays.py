"""Delay end times: durations, jitter, business time with holidays, local wall-clock times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from orch8_nb.engine import Engine
from orch8_nb.engine.delays import delay_until
from orch8_nb.model import DelaySpec


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def until(now: str, **spec: Any) -> int:
    cfg = spec.pop("config_holidays", ())
    rnd = spec.pop("random", 0.0)
    tz = spec.pop("instance_tz", "UTC")
    return delay_until(
        DelaySpec(**spec), ms(now), instance_timezone=tz, config_holidays=cfg, random=rnd
    )


def test_plain_duration_and_jitter() -> None:
    assert until("2026-01-02T10:00:00", duration="90m") == ms("2026-01-02T11:30:00")
    assert (
        until("2026-01-02T10:00:00", duration=0, jitter=1000, random=0.5)
        == ms("2026-01-02T10:00:00") + 500
    )


def test_business_time_skips_weekends() -> None:
    # Friday 16:00 + 24 h of business time = 8 h on Friday + 16 h on Monday.
    assert until("2026-01-02T16:00:00", duration="1d", business_days_only=True) == ms(
        "2026-01-05T16:00:00"
    )


def test_business_time_skips_holidays_from_the_step_and_the_config() -> None:
    assert until(
        "2026-01-02T16:00:00", duration="1d", business_days_only=True, holidays=["2026-01-05"]
    ) == ms("2026-01-06T16:00:00")
    assert until(
        "2026-01-02T16:00:00",
        duration="1d",
        business_days_only=True,
        holidays=["2026-01-05"],
        config_holidays=["2026-01-06"],
    ) == ms("2026-01-07T16:00:00")


def test_business_time_starting_on_a_weekend_starts_monday() -> None:
    assert until("2026-01-03T12:00:00", duration="2h", business_days_only=True) == ms(
        "2026-01-05T02:00:00"
    )


def test_fire_at_local_in_a_timezone() -> None:
    # 09:00 in New York in January is 14:00 UTC.
    assert until(
        "2026-01-02T00:00:00", duration=0, fire_at_local="2026-01-02T09:00:00",
        timezone="America/New_York",
    ) == ms("2026-01-02T14:00:00")  # fmt: skip
    # Falls back to the instance's timezone.
    assert until(
        "2026-01-02T00:00:00", duration=0, fire_at_local="2026-01-02T09:00:00",
        instance_tz="Europe/Paris",
    ) == ms("2026-01-02T08:00:00")  # fmt: skip


def test_fire_at_local_dst_gap_rolls_forward_and_ambiguity_takes_the_first() -> None:
    gap = until(
        "2026-03-01T00:00:00", duration=0, fire_at_local="2026-03-08T02:30:00",
        timezone="America/New_York",
    )  # fmt: skip
    assert gap == ms("2026-03-08T07:30:00")  # 03:30 EDT
    ambiguous = until(
        "2026-10-01T00:00:00", duration=0, fire_at_local="2026-11-01T01:30:00",
        timezone="America/New_York",
    )  # fmt: skip
    assert ambiguous == ms("2026-11-01T05:30:00")  # first 01:30 (EDT)


def test_fire_at_local_in_the_past_fires_now() -> None:
    assert until("2026-05-01T00:00:00", duration=0, fire_at_local="2026-01-01T00:00:00") == ms(
        "2026-05-01T00:00:00"
    )


def test_business_day_delay_runs_on_virtual_time(engine: Engine) -> None:
    friday_4pm = ms("2026-01-02T16:00:00")
    engine.clock.set(friday_4pm)  # type: ignore[attr-defined]
    body = {"name": "biz", "blocks": [{"type": "step", "id": "s", "handler": "noop",
             "delay": {"duration": "1d", "business_days_only": True}}]}  # fmt: skip
    inst = engine.create_instance(body)
    engine.run_until_idle()
    assert inst.state == "completed"
    [node] = inst.tree()
    assert node.completed_at == datetime(2026, 1, 5, 16, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["2026-13-01T00:00:00", "tomorrow"])
def test_bad_fire_at_local_fails_the_step_not_the_engine(engine: Engine, bad: str) -> None:
    body = {"name": "bad", "blocks": [{"type": "step", "id": "s", "handler": "noop",
             "delay": {"duration": 0, "fire_at_local": bad}}]}  # fmt: skip
    try:
        inst = engine.create_instance(body)
    except Exception as exc:  # rejected up front is fine too, as long as it names the field
        assert "fire_at_local" in str(exc)
        return
    engine.run_until_idle()
    assert inst.state == "failed"
    assert "fire_at_local" in inst.error["message"]
