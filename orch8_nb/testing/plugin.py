"""pytest plugin, registered through the ``pytest11`` entry point of orch8-nb.

Fixtures: ``engine_env`` (a fresh :class:`~orch8_nb.testing.env.EngineEnv` per test,
closed after it), ``engine`` (its :class:`~orch8_nb.Engine`) and ``mock_handler`` (a
factory registering :class:`~orch8_nb.testing.mocks.MockHandler` s on that engine).
``@pytest.mark.orch8(**options)`` passes options to the test's ``EngineEnv``. Files named
``*.contracts.json`` are collected as contract tests (``orch8_nb.testing.contracts``).

Importing this module starts nothing; engines exist only while a test uses them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from orch8_nb.engine import Engine
from orch8_nb.testing.env import EngineEnv
from orch8_nb.testing.mocks import MockHandler

#: Contract suites; kept here so other files cost no import (``contracts.loading.SUFFIX``).
CONTRACT_SUFFIX = ".contracts.json"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "orch8(**options): options for the test's engine_env "
        "(url, start_ms, seed, max_duration, max_ticks, Engine options)",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """``*.contracts.json`` files are test files: one item per contract case."""
    if not file_path.name.endswith(CONTRACT_SUFFIX):
        return None
    from orch8_nb.testing.contracts.pytest_items import collect

    return collect(file_path, parent)


@pytest.fixture
def engine_env(request: pytest.FixtureRequest) -> Iterator[EngineEnv]:
    """An in-memory engine on a virtual clock, driven by hand; closed after the test."""
    marker = request.node.get_closest_marker("orch8")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    env = EngineEnv(**options)
    try:
        yield env
    finally:
        env.close()


@pytest.fixture
def engine(engine_env: EngineEnv) -> Engine:
    """The ``engine_env``'s engine: in memory, virtual clock, ``autostart=False``."""
    return engine_env.engine


@pytest.fixture
def mock_handler(engine_env: EngineEnv) -> Callable[..., MockHandler]:
    """``mock_handler(name, output=..., fail=..., retryable=..., script=[...])`` registers a
    scripted handler on ``engine_env`` and returns it (see ``EngineEnv.mock``)."""
    return engine_env.mock
