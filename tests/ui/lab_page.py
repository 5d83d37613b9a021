"""Driving JupyterLab from a test: open notebooks, run cells, ask the kernel things.

JupyterLab is started with ``expose_app_in_browser`` so ``window.jupyterapp`` gives the
tests its command registry and the current notebook's kernel, instead of clicking through
menus by their labels.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "ui"
TOKEN = "orch8-ui-tests"

RUN_IN_KERNEL = """async (code) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, store_history: false});
  let out = "";
  future.onIOPub = (msg) => {
    const t = msg.header.msg_type;
    if (t === "stream") out += msg.content.text;
    if (t === "error") out += `${msg.content.ename}: ${msg.content.evalue}`;
  };
  await future.done;
  return out;
}"""

WAIT_KERNEL_IDLE = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.sessionContext.ready;
  return panel.sessionContext.session.kernel.status;
}"""


class LabPage:
    def __init__(self, page: Any, base: str, token: str) -> None:
        self.page = page
        self.base = base
        self.token = token

    def open_lab(self, workspace: str) -> None:
        """Open JupyterLab in a workspace of its own, reset, so tabs that another test left
        open are not restored over this test's notebook."""
        self.page.goto(f"{self.base}/lab/workspaces/{workspace}?reset&token={self.token}")
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started")
        self.page.evaluate("() => window.jupyterapp.started")

    def open_notebook(self, path: str, *, kernel: bool = True) -> None:
        """Open ``path``; with ``kernel=False`` no kernel starts (saved outputs only)."""
        self.page.evaluate(
            """async ([path, kernel]) => {
                const app = window.jupyterapp;
                const factory = app.docRegistry.getWidgetFactory("Notebook");
                // Read-only getters on the factory: shadow them on this page's instance,
                // as a viewer without kernels would have them.
                for (const name of ["preferKernel", "canStartKernel"]) {
                    Object.defineProperty(factory, name, {value: kernel, configurable: true});
                }
                const widget = await app.commands.execute("docmanager:open", {path});
                await widget.context.ready;
                // Resolves once the session is settled: with a kernel, or known to have none.
                await widget.sessionContext.ready;
            }""",
            [path, kernel],
        )

    def run_all(self) -> None:
        self.page.evaluate(
            """async () => {
                const app = window.jupyterapp;
                await app.commands.execute("notebook:run-all-cells");
            }"""
        )

    def kernel(self, code: str) -> str:
        """Run ``code`` in the notebook's kernel (queued behind its cells); its stdout."""
        return str(self.page.evaluate(RUN_IN_KERNEL, code))

    def has_kernel(self) -> bool:
        return bool(
            self.page.evaluate(
                """() => {
                    const s = window.jupyterapp.shell.currentWidget.sessionContext;
                    return Boolean(s.session && s.session.kernel);
                }"""
            )
        )


def write_notebook(path: Path, cells: list[str]) -> None:
    """A notebook of code cells (no outputs), for JupyterLab to open and run."""
    nb = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
             "outputs": [], "source": src}
            for i, src in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    path.write_text(json.dumps(nb, indent=1))
