"""Shared fixtures: engines that clean up after themselves, on every storage backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from orch8_nb.engine import Engine, VirtualClock

#: Storage backends every conformance test runs against (Postgres joins with its issue).
BACKENDS = ["sqlite-file", "sqlite-memory"]


def backend_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite-file":
        return f"sqlite:///{tmp_path / 'orch8.db'}"
    if kind == "sqlite-memory":
        return "sqlite://:memory:"
    raise ValueError(kind)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return backend_url(str(request.param), tmp_path)


@pytest.fixture
def make_engine(tmp_path: Path) -> Iterator[Callable[..., Engine]]:
    """Factory: ``make_engine(url=None, virtual=True, **options)``; all shut down at the end."""
    made: list[Engine] = []

    def factory(url: str | None = None, *, virtual: bool = True, **options: Any) -> Engine:
        clock = options.pop("clock", VirtualClock() if virtual else None)
        engine = Engine(url or f"sqlite:///{tmp_path / 'engine.db'}", clock=clock, **options)
        made.append(engine)
        return engine

    yield factory
    for engine in reversed(made):
        engine.shutdown(timeout=2)


@pytest.fixture
def engine(make_engine: Callable[..., Engine], backend: str) -> Engine:
    """A running engine on a virtual clock, once per backend."""
    return make_engine(backend)
