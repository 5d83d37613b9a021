"""Refuse to build a wheel without the front end, instead of shipping one that cannot draw.

The widget bundle, the dashboard and the JupyterLab extension are built by ``make js`` (Node is needed
only there); the wheel carries them, so installing it needs no Node.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

REQUIRED = (
    "orch8_nb/widgets/static/loader.js",
    "orch8_nb/widgets/static/widgets.js",
    "orch8_nb/server/static/dashboard.js",
    "orch8_nb/server/static/dashboard.css",
    "orch8_nb/labextension/package.json",
)


class FrontEndCheck(BuildHookInterface):  # type: ignore[misc]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return  # `make install` builds the front end next to the sources
        missing = [p for p in REQUIRED if not (Path(self.root) / p).exists()]
        if missing:
            raise RuntimeError(
                f"front end not built (missing {', '.join(missing)}): run `make js` first"
            )
