"""Run the notebooks in ``notebooks/`` headless and keep their saved form canonical.

The notebook tests import this module; it is also the way to refresh saved outputs after
a change to a notebook or to the engine:

    .venv/bin/python tests/notebooks/nbrun.py                        # every notebook
    .venv/bin/python tests/notebooks/nbrun.py 03-retries-and-time    # some of them

Canonical form: no execution timings, execution counts 1..n, consecutive stream outputs
merged, fixed notebook metadata. Two runs of a notebook therefore save identical bytes.
"""

from __future__ import annotations

import copy
import sys
import tempfile
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from traitlets import default

from orch8_nb.cli.nbrun import drop_widget_views

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

#: The kill-the-kernel pair: run by ``test_notebooks_durable.py``, not by nbval, because
#: the first notebook ends by killing its kernel and the second needs the first's database.
DURABLE_PAIR = ("06-durable-execution.ipynb", "06b-durable-execution-resume.ipynb")

#: Tag of the cell that kills the kernel (the last cell of the pair's first notebook).
KILL_TAG = "kills-kernel"

CELL_TIMEOUT = 60

METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
    },
}


class _CurrentEnvKernels(KernelSpecManager):
    """Every kernel name means "ipykernel on this interpreter", like ``--nbval-current-env``.

    A ``python3`` kernelspec in the user's Jupyter folders could point at another Python.
    """

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return self.kernel_spec_class(
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )


class _CurrentEnvKernelManager(AsyncKernelManager):
    # Passed as a class, not an instance: nbclient then owns the kernel and shuts it down
    # and closes its sockets, also after the kernel died.
    @default("kernel_spec_manager")
    def _current_env_kernels(self) -> KernelSpecManager:
        return _CurrentEnvKernels(data_dir=self.data_dir)


def read(name: str) -> NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def notebook_names() -> list[str]:
    return sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))


def execute(nb: NotebookNode, cwd: Path) -> NotebookNode:
    """Run ``nb`` top to bottom on a fresh kernel in ``cwd``; returns the executed copy.

    Raises ``CellExecutionError`` if a cell fails and ``DeadKernelError`` if the kernel
    dies; the latter carries the copy executed so far (``notebook``) and how many code
    cells were started (``cells_started``, the one running at the death included).
    """
    nb = copy.deepcopy(nb)
    client = NotebookClient(
        nb,
        kernel_manager_class=_CurrentEnvKernelManager,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        record_timing=False,
        store_widget_state=False,  # random model ids; the outputs carry static views
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except DeadKernelError as err:
        err.notebook = client.nb  # type: ignore[attr-defined]
        err.cells_started = client.code_cells_executed  # type: ignore[attr-defined]
        raise
    return client.nb


def run_durable_pair(cwd: Path) -> tuple[NotebookNode, NotebookNode]:
    """Run the first notebook until it kills its kernel, then the second on a new kernel."""
    first, second = (read(name) for name in DURABLE_PAIR)
    code = [i for i, cell in enumerate(first.cells) if cell.cell_type == "code"]
    killer = [i for i, cell in enumerate(first.cells) if KILL_TAG in cell.metadata.get("tags", [])]
    assert killer == code[-1:], f"the last code cell, and only it, must be tagged {KILL_TAG!r}"
    try:
        execute(first, cwd)
    except DeadKernelError as err:
        first = err.notebook  # type: ignore[attr-defined]
        started = err.cells_started  # type: ignore[attr-defined]
        assert started == len(code), f"the kernel died in code cell {started}, not the last one"
    else:
        raise AssertionError(f"{DURABLE_PAIR[0]} finished without killing its kernel")
    first.cells[killer[0]].outputs = []  # whatever reached the client before it died
    return first, execute(second, cwd)


def _merge_streams(outputs: list[NotebookNode]) -> list[NotebookNode]:
    merged: list[NotebookNode] = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (
            out.output_type == "stream"
            and last is not None
            and last.output_type == "stream"
            and last.name == out.name
        ):
            last.text += out.text
        else:
            merged.append(out)
    return merged


def canonical(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` in the saved form (see the module docstring)."""
    nb = drop_widget_views(copy.deepcopy(nb))  # random model ids, dead without the kernel
    nb.metadata = nbformat.from_dict(METADATA)
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = _merge_streams(cell.outputs)
        for out in cell.outputs:
            if "execution_count" in out:
                out.execution_count = count
    return nb


def dumps(nb: NotebookNode) -> str:
    text = nbformat.writes(canonical(nb))
    return text if text.endswith("\n") else text + "\n"


def refresh(names: list[str]) -> None:
    """Execute the named notebooks and save them with their new outputs."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            print(f"running {name}")
            if name in DURABLE_PAIR:
                for pair_name, nb in zip(DURABLE_PAIR, run_durable_pair(Path(tmp)), strict=True):
                    (NOTEBOOKS / pair_name).write_text(dumps(nb), encoding="utf-8")
            else:
                (NOTEBOOKS / name).write_text(
                    dumps(execute(read(name), NOTEBOOKS)), encoding="utf-8"
                )


def _main(args: list[str]) -> None:
    names = [arg if arg.endswith(".ipynb") else f"{arg}.ipynb" for arg in args]
    names = [Path(name).name for name in names] or notebook_names()
    if any(name in DURABLE_PAIR for name in names):  # the pair runs together, once
        names = [name for name in names if name not in DURABLE_PAIR] + [DURABLE_PAIR[0]]
    refresh(names)


if __name__ == "__main__":
    _main(sys.argv[1:])
