from datetime import timedelta

import pytest

from orch8_nb.errors import SequenceValidationError
from orch8_nb.model import (
    RetryPolicy,
    StepDef,
    format_duration_ms,
    parse_duration_ms,
    parse_duration_seconds,
)


@pytest.mark.parametrize(
    ("value", "ms"),
    [
        (0, 0),
        (250, 250),
        (1.5, 1500),  # a float is seconds (Orch8 quirk)
        (2.0, 2000),
        (0.1, 100),
        (timedelta(seconds=1, milliseconds=500), 1500),
        (timedelta(minutes=2), 120_000),
        (timedelta(microseconds=1500), 2),  # rounded to the nearest ms
        ("250ms", 250),
        ("1.5s", 1500),
        ("2m", 120_000),
        ("1h30m", 5_400_000),
        ("1h 30m", 5_400_000),
        ("1d", 86_400_000),
        (".5s", 500),
        ("1d2h3m4s5ms", 93_784_005),
    ],
)
def test_accepted_duration_forms(value: object, ms: int) -> None:
    assert parse_duration_ms(value) == ms


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (True, "boolean"),
        (False, "boolean"),
        (-1, "negative"),
        (-0.5, "negative"),
        ("-1s", "negative"),
        (timedelta(seconds=-1), "negative"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ("", "cannot read"),
        ("abc", "cannot read"),
        ("500", "cannot read"),  # unitless text is ambiguous
        ("1.5", "cannot read"),
        ("1y", "cannot read"),
        ("1s x", "cannot read"),
        ("1S", "cannot read"),
        (None, "expected a duration"),
        ([1], "expected a duration"),
        (2**63, "too large"),
        ("9" * 80 + "s", "too long"),
    ],
)
def test_rejected_duration_forms(value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_duration_ms(value)


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0ms"),
        (250, "250ms"),
        (1000, "1s"),
        (1500, "1.5s"),
        (10_000, "10s"),
        (59_999, "59.999s"),
        (60_000, "1m"),
        (192_000, "3m 12s"),
        (5_400_000, "1h 30m"),
        (86_400_000, "1d"),
        (90_061_500, "1d 1h 1m 1.5s"),
    ],
)
def test_format_duration_round_trips(ms: int, text: str) -> None:
    assert format_duration_ms(ms) == text
    assert parse_duration_ms(text) == ms


def test_duration_seconds() -> None:
    assert parse_duration_seconds(5) == 5
    assert parse_duration_seconds(2.0) == 2
    assert parse_duration_seconds("1m") == 60
    assert parse_duration_seconds(timedelta(seconds=3)) == 3
    with pytest.raises(ValueError, match="whole number of seconds"):
        parse_duration_seconds("1.5s")
    with pytest.raises(ValueError, match="negative"):
        parse_duration_seconds(-1)
    with pytest.raises(ValueError, match="boolean"):
        parse_duration_seconds(True)


def test_duration_fields_store_and_serialize_int_ms() -> None:
    policy = RetryPolicy(max_attempts=3, initial_backoff="1.5s", max_backoff=timedelta(minutes=1))
    assert policy.initial_backoff == 1500
    assert policy.max_backoff == 60_000
    assert policy.model_dump(mode="json")["initial_backoff"] == 1500
    step = StepDef.from_json('{"type": "step", "id": "a", "handler": "h", "timeout": 2.5}')
    assert step.timeout == 2500
    assert '"timeout":2500' in step.to_json()


def test_duration_field_error_has_path_and_message() -> None:
    with pytest.raises(SequenceValidationError) as info:
        StepDef(id="a", handler="h", timeout="soon")
    assert info.value.paths == ["timeout"]
    assert "cannot read 'soon' as a duration" in info.value.problems[0].message
