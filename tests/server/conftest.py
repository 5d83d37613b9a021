"""What every API test shares: no key from the environment, an engine the test drives by
hand (``run_until_idle``), and an HTTP client to a real server over it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from orch8_nb.engine import Engine


@pytest.fixture(autouse=True)
def _no_key_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORCH8_API_KEY", raising=False)


@pytest.fixture
def engine(make_engine: Callable[..., Engine]) -> Engine:
    return make_engine("sqlite://:memory:", autostart=False)


@pytest.fixture
def api(engine: Engine) -> Iterator[httpx.Client]:
    with engine.serve(port=0) as server, httpx.Client(base_url=server.url) as client:
        yield client
