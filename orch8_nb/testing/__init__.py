"""Testing kit: an engine on virtual time, scripted handlers, assertions, pytest fixtures,
and a fake OpenAI / Anthropic server for testing agents offline over real HTTP.

The fixtures (``engine_env``, ``engine``, ``mock_handler``) come with the pytest plugin
that installing orch8-nb registers; everything else is importable from here.
"""

from orch8_nb.testing.asserts import (
    assert_audit,
    assert_called,
    assert_completed,
    assert_failed,
    assert_output,
    assert_path,
    assert_skipped,
    assert_state,
)
from orch8_nb.testing.env import EngineEnv, InstanceFailedError, StuckInstanceError
from orch8_nb.testing.fake_llm import FakeLLMServer
from orch8_nb.testing.mocks import (
    Call,
    Failure,
    MockHandler,
    Success,
    fail,
    install,
    scripted,
    succeed,
)

__all__ = [
    "Call",
    "EngineEnv",
    "Failure",
    "FakeLLMServer",
    "InstanceFailedError",
    "MockHandler",
    "StuckInstanceError",
    "Success",
    "assert_audit",
    "assert_called",
    "assert_completed",
    "assert_failed",
    "assert_output",
    "assert_path",
    "assert_skipped",
    "assert_state",
    "fail",
    "install",
    "scripted",
    "succeed",
]
