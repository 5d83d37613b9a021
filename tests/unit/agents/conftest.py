"""Engines for the agent tests: virtual clock, autostart off (``run_until_idle`` drives
them), recordings in the engine database unless a test says otherwise."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orch8_nb.engine import Engine


@pytest.fixture(autouse=True)
def _no_mode_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORCH8_LLM_MODE", raising=False)


@pytest.fixture
def engine(make_engine: Callable[..., Engine], backend: str) -> Engine:
    return make_engine(backend, autostart=False)
