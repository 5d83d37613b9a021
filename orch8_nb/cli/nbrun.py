"""Executing a notebook with nbclient: parameters injected as papermill does, and the
failing cell found and reported with its traceback."""

from __future__ import annotations

import importlib
import json
import keyword
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orch8_nb.cli.output import EXIT_FAILED, CliError

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def parse_value(text: str) -> Any:
    """A parameter value: JSON if it parses (``3``, ``true``, ``[1]``), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def python_literal(value: Any) -> str:
    """Python source for a JSON value (``true`` -> ``True``, NaN -> ``float('nan')``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, dict):
        items = ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    return repr(value)


def parameters_source(params: dict[str, Any]) -> str:
    lines = ["# Parameters injected by orch8-nb notebooks run"]
    lines += [f"{name} = {python_literal(value)}" for name, value in params.items()]
    return "\n".join(lines) + "\n"


def check_name(name: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise CliError(f"parameter name {name!r} is not a Python identifier")


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _nbformat() -> Any:
    # Imported on use: the notebooks extra is optional, and nbformat is untyped.
    return importlib.import_module("nbformat")


def inject_parameters(nb: Any, params: dict[str, Any]) -> int | None:
    """Replace an earlier injected cell, else add one after the cell tagged ``parameters``,
    else at the top. Returns the index of an added cell (``None`` if one was replaced)."""
    cell = _nbformat().v4.new_code_cell(
        parameters_source(params), metadata={"tags": [INJECTED_TAG]}
    )
    cells = nb.cells
    for index, existing in enumerate(cells):
        if INJECTED_TAG in _tags(existing):
            cells[index] = cell
            return None
    at = next((i + 1 for i, c in enumerate(cells) if PARAMETERS_TAG in _tags(c)), 0)
    cells.insert(at, cell)
    return at


def read_notebook(path: Path) -> Any:
    nbformat = _nbformat()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat warns about fields it normalises
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory, not a notebook") from None
    except nbformat.ValidationError as exc:
        raise CliError(f"{path}: not a valid notebook: {exc.message}") from None
    except (ValueError, KeyError, AttributeError) as exc:  # NotJSONError, bad structure
        raise CliError(f"{path}: not a notebook ({exc})") from None
    return nb


WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


def drop_widget_views(nb: Any) -> Any:
    """Remove widget views from outputs that have another form, in place; returns ``nb``.

    Once the kernel is gone a widget view can never draw (its model lived in the kernel):
    JupyterLab would say "Loading widget...", nbconvert and GitHub show an empty box, while
    every orch8-nb output also carries a static view that draws anywhere.
    """
    for cell in nb.cells:
        for out in cell.get("outputs", ()):
            data = out.get("data")
            if data is not None and WIDGET_VIEW_MIME in data and len(data) > 1:
                del data[WIDGET_VIEW_MIME]
    return nb


def write_notebook(nb: Any, path: Path) -> None:
    try:
        _nbformat().write(nb, str(path))
    except OSError as exc:
        raise CliError(f"{path}: cannot write ({exc.strerror})", EXIT_FAILED) from None


@dataclass(slots=True)
class CellFailure:
    """The cell that stopped the run, and why."""

    reason: str
    #: 0-based index in the executed notebook (the injected parameters cell included).
    index: int
    execution_count: int | None
    source: str
    traceback: str


def _failure(nb: Any, cell_index: int, reason: str) -> CellFailure:
    cell = nb.cells[cell_index]
    traceback = ""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            lines = out.get("traceback") or [f"{out.get('ename')}: {out.get('evalue')}"]
            traceback = strip_ansi("\n".join(lines))
    return CellFailure(
        reason, cell_index, cell.get("execution_count"), cell.get("source", ""), traceback
    )


def execute(nb: Any, kernel: str | None, timeout: float | None, cwd: Path) -> CellFailure | None:
    """Run every cell of ``nb`` in place; ``None`` on success, else the cell that stopped
    it. A missing kernel or a dead one is a ``CliError``."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    current = [0]

    def on_cell_start(cell: Any, cell_index: int) -> None:
        current[0] = cell_index

    name = kernel or nb.metadata.get("kernelspec", {}).get("name") or "python3"
    client = NotebookClient(
        nb,
        kernel_name=name,
        timeout=timeout,
        resources={"metadata": {"path": str(cwd)}},
        on_cell_start=on_cell_start,
        extra_arguments=_quiet_kernel(name),
        # Every orch8-nb output carries its own static view; saved widget state would only
        # make nbconvert, nbviewer and GitHub draw empty widget boxes instead of it.
        store_widget_state=False,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            client.execute()
    except CellExecutionError:
        return _failure(nb, current[0], "raised an exception")
    except CellTimeoutError:
        limit = f"{timeout:g} s" if timeout is not None else "the time limit"
        return _failure(nb, current[0], f"ran longer than {limit} (--timeout)")
    except DeadKernelError as exc:
        raise CliError(f"the kernel died: {exc}", EXIT_FAILED) from None
    return None


def _quiet_kernel(name: str) -> list[str]:
    """Arguments that keep an ipykernel's own start-up warnings (plain-TCP transport, ...)
    out of the output; other kernels get none. An unknown name is a ``CliError``."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    try:
        spec = manager.get_kernel_spec(name)
    except NoSuchKernel:
        installed = ", ".join(sorted(manager.find_kernel_specs())) or "none"
        raise CliError(f"no Jupyter kernel named {name!r} (installed: {installed})") from None
    if any("ipykernel" in arg for arg in spec.argv):
        return ["--IPKernelApp.log_level=ERROR"]
    return []
