"""A real JupyterLab and Debian's headless Chromium, shared by the browser tests.

JupyterLab runs as a child process on a free loopback port with its own config and
runtime directories, serving a temporary folder; the browser is driven with Playwright's
Python API but launched from ``/usr/bin/chromium`` (never a downloaded browser).
Screenshots go to ``test-artifacts/ui/`` at the repository root.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab_page import ARTIFACTS, ROOT, TOKEN

from orch8_nb.engine.clock import perf_counter, real_sleep

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser tests and run them last: Playwright's sync API keeps an event loop
    running on the main thread until the session ends, and later tests that call
    ``asyncio.run`` would find it."""
    here = Path(__file__).parent
    ui = [item for item in items if Path(str(item.fspath)).is_relative_to(here)]
    for item in ui:
        item.add_marker(pytest.mark.ui)
        item.add_marker(pytest.mark.slow)
    chosen = set(ui)
    items[:] = [item for item in items if item not in chosen] + ui


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    import urllib.request

    started = perf_counter()
    while perf_counter() - started < timeout_s:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            real_sleep(0.25)
    raise TimeoutError(f"jupyter lab did not answer at {url} within {timeout_s} s")


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lab")


@pytest.fixture(scope="session")
def lab(lab_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running JupyterLab (token auth) serving ``lab_root``."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make chromium` (apt-get install chromium)")
    if not (ROOT / "orch8_nb" / "labextension" / "package.json").exists():
        pytest.fail("the front end is not built: run `make js`")
    home = tmp_path_factory.mktemp("jupyter-home")
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
        "PYTHONWARNINGS": "ignore",
    }
    # No "get notified about Jupyter news?" toast over the widgets in the screenshots.
    notification = home / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    log = (home / "lab.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
            f"--port={port}", "--ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={lab_root}", "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class="
            "jupyterlab.NeverCheckForUpdate",
        ],
        cwd=lab_root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base}/api/status?token={TOKEN}", proc, 90)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Any:
    """``shot(page, "name")`` saves a screenshot under test-artifacts/ui/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
