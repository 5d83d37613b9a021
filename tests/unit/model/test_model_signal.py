from typing import Any

import pytest

from orch8_nb.errors import SignalValidationError
from orch8_nb.model import BuiltinSignal, SendSignalRequest, Signal, SignalKind


@pytest.mark.parametrize(
    ("value", "name", "custom"),
    [
        ("pause", "pause", False),
        ("resume", "resume", False),
        ("cancel", "cancel", False),
        ("update_context", "update_context", False),
        ({"custom": "approve"}, "approve", True),
        ("custom:approve", "approve", True),
        ("custom:human_input:step1", "human_input:step1", True),
        ({"custom": "pause"}, "pause", True),
    ],
)
def test_signal_type_parsing(value: object, name: str, custom: bool) -> None:
    kind = SignalKind.parse(value)
    assert (kind.name, kind.custom) == (name, custom)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("stop", "unknown signal type 'stop'"),
        ("", "unknown signal type"),
        ("custom:", "must not be empty"),
        ({"custom": ""}, "must not be empty"),
        ({"custom": "x" * 257}, "longer than 256"),
        ({"custom": 5}, "signal_type must be"),
        ({"custom": "a", "b": 1}, "signal_type must be"),
        (None, "signal_type must be"),
        (["pause"], "signal_type must be"),
    ],
)
def test_signal_type_rejects(value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        SignalKind.parse(value)


def test_custom_name_at_the_limit() -> None:
    assert SignalKind.parse({"custom": "x" * 256}).name == "x" * 256


def test_encodings() -> None:
    assert SignalKind.PAUSE.to_wire() == "pause"
    assert SignalKind.PAUSE.to_db() == "pause"
    custom = SignalKind("approve", custom=True)
    assert custom.to_wire() == {"custom": "approve"}
    assert custom.to_db() == "custom:approve"
    assert str(custom) == "custom:approve"
    assert SignalKind.parse(custom.to_db()) == custom
    assert SignalKind.parse(custom.to_wire()) == custom
    assert SignalKind.human_input("gate") == SignalKind("human_input:gate", custom=True)
    assert {s.value for s in BuiltinSignal} == {"pause", "resume", "cancel", "update_context"}


def test_signal_record_round_trip() -> None:
    sig = Signal(
        id="s1",
        instance_id="i1",
        signal_type="custom:approve",
        payload={"value": "yes"},
        created_at="2025-01-01T00:00:00Z",
    )
    wire = sig.model_dump(mode="json")
    assert wire["signal_type"] == {"custom": "approve"}
    assert wire["delivered"] is False and wire["delivered_at"] is None
    assert Signal.from_json(sig.to_json()) == sig


def test_send_signal_request_ok() -> None:
    req = SendSignalRequest.from_json(
        {"signal_type": "update_context", "payload": {"data": {"a": 1}}}
    )
    assert req.signal_type == SignalKind.UPDATE_CONTEXT
    assert SendSignalRequest(signal_type="pause").payload is None
    assert SendSignalRequest(signal_type={"custom": "x"}, payload=[1]).payload == [1]


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({"signal_type": "update_context"}, ["payload"]),
        ({"signal_type": "update_context", "payload": [1]}, ["payload"]),
        ({"signal_type": "update_context", "payload": {"data": 5}}, ["payload.data"]),
        ({"signal_type": "update_context", "payload": {"dta": {}}}, ["payload.dta"]),
        ({"signal_type": "halt"}, ["signal_type"]),
        ({"signal_type": {"custom": ""}}, ["signal_type"]),
        ({"payload": {}}, ["signal_type"]),
        ({"signal_type": "pause", "extra": 1}, ["extra"]),
    ],
)
def test_send_signal_request_errors(body: dict[str, Any], paths: list[str]) -> None:
    with pytest.raises(SignalValidationError) as info:
        SendSignalRequest.from_json(body)
    assert info.value.paths == paths
