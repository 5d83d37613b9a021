"""Python and the front end agree: protocol number, mime types and package version."""

from __future__ import annotations

import json
import re
from pathlib import Path

from packaging.version import Version

import orch8_nb
from orch8_nb.render import views

ROOT = Path(__file__).resolve().parents[3]
CONTRACT = ROOT / "labextension" / "src" / "model" / "contract.ts"
PACKAGE = ROOT / "labextension" / "package.json"
PRE_RELEASES = {"a": "alpha", "b": "beta", "rc": "rc"}


def _ts_const(name: str) -> str:
    found = re.search(rf"export const {name} = (.+?);", CONTRACT.read_text(encoding="utf-8"))
    assert found, f"{name} is not exported by {CONTRACT}"
    return found.group(1)


def semver(pep440: str) -> str:
    """The npm (semver) spelling of a PEP 440 version: 0.1.0.dev0 -> 0.1.0-dev.0,
    1.2.0rc1 -> 1.2.0-rc.1 (npm orders 1.2.0-dev.0 < 1.2.0-rc.1 < 1.2.0 as pip does)."""
    version = Version(pep440)
    core = ".".join(str(part) for part in (*version.release, 0, 0)[:3])
    tags = []
    if version.pre is not None:
        kind, number = version.pre
        tags.append(f"{PRE_RELEASES[kind]}.{number}")
    if version.dev is not None:
        tags.append(f"dev.{version.dev}")
    return core + ("-" + ".".join(tags) if tags else "")


def test_the_protocol_number_is_the_front_end_s() -> None:
    assert int(_ts_const("PROTOCOL")) == views.PROTOCOL == orch8_nb.widgets.PROTOCOL


def test_the_mime_types_are_the_front_end_s() -> None:
    assert json.loads(_ts_const("SEQUENCE_MIME")) == views.SEQUENCE_MIME
    assert json.loads(_ts_const("INSTANCE_MIME")) == views.INSTANCE_MIME
    assert json.loads(_ts_const("GRAPHVIZ_MIME")) == views.GRAPHVIZ_MIME
    assert json.loads(_ts_const("WIDGET_MIME")) == views.WIDGET_MIME


def test_the_python_and_npm_versions_match() -> None:
    npm = json.loads(PACKAGE.read_text(encoding="utf-8"))["version"]
    assert semver(orch8_nb.__version__) == npm


def test_the_built_front_end_is_this_version() -> None:
    """The loader's build id starts with the npm version (see labextension/build-id.cjs);
    a stale build left in the package would fetch views of another version."""
    npm = json.loads(PACKAGE.read_text(encoding="utf-8"))["version"]
    # The real file: this folder's tests otherwise stand a fake bundle in (conftest.py).
    loader = (ROOT / "orch8_nb" / "widgets" / "static" / "loader.js").read_text("utf-8")
    assert re.search(rf'"{re.escape(npm)}\+[0-9a-f]{{12}}"', loader), loader[:200]


def test_semver_spelling() -> None:
    assert semver("0.1.0.dev0") == "0.1.0-dev.0"
    assert semver("1.2") == "1.2.0"
    assert semver("1.2.0rc1") == "1.2.0-rc.1"
    assert semver("2.0.0b3") == "2.0.0-beta.3"


def test_jupyter_finds_the_prebuilt_extension() -> None:
    assert orch8_nb._jupyter_labextension_paths() == [{"src": "labextension", "dest": "orch8-nb"}]
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    assert package["name"] == "orch8-nb"
    assert package["jupyterlab"]["outputDir"] == "../orch8_nb/labextension"
