"""The testing kit's public names are pinned (changes are deliberate)."""

from __future__ import annotations

import orch8_nb.testing

EXPECTED = {
    "Call", "EngineEnv", "FakeLLMServer", "Failure", "InstanceFailedError", "MockHandler",
    "StuckInstanceError",
    "Success", "assert_audit", "assert_called", "assert_completed", "assert_failed",
    "assert_output", "assert_path", "assert_skipped", "assert_state", "fail", "install",
    "scripted", "succeed",
}  # fmt: skip


def test_exported_names_are_pinned() -> None:
    assert set(orch8_nb.testing.__all__) == EXPECTED
    assert len(orch8_nb.testing.__all__) == len(EXPECTED)


def test_every_exported_name_resolves() -> None:
    for name in orch8_nb.testing.__all__:
        assert getattr(orch8_nb.testing, name) is not None
