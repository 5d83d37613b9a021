"""The kill-the-kernel pair, headless as in CI: part 1 dies mid-step, part 2 resumes.

nbval cannot run these two (the first kills its kernel; the second needs the first's
database), so this test runs them with nbclient in a temporary folder, checks the database
and the handler-call log itself, and compares both notebooks with their saved outputs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from nbformat import NotebookNode
from nbrun import DURABLE_PAIR, NOTEBOOKS, dumps, run_durable_pair

import orch8_nb as o8

pytestmark = [pytest.mark.crash, pytest.mark.slow]

STEPS = ("reserve", "charge", "pack", "ship")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, NotebookNode, NotebookNode]:
    workdir = tmp_path_factory.mktemp("durable")
    first, second = run_durable_pair(workdir)
    return workdir, first, second


def test_every_instance_resumed_and_every_step_committed_once(
    pair: tuple[Path, NotebookNode, NotebookNode],
) -> None:
    workdir = pair[0]
    engine = o8.Engine(f"sqlite:///{workdir / 'runs' / '06-durable.db'}", autostart=False)
    try:
        instances = {inst.data["order"]: inst for inst in engine.list_instances()}
        assert sorted(instances) == ["A", "B", "C"]
        for inst in instances.values():
            assert inst.state == "completed"
            committed = Counter(
                row.block_id for row in inst.output_rows() if row.output_ref is None
            )
            assert committed == dict.fromkeys(STEPS, 1)
        recovered = {
            name
            for name, inst in instances.items()
            if any(row.details.get("reason") == "recovered" for row in inst.audit())
        }
        assert recovered == {"A"}  # the only one running when the kernel died
    finally:
        engine.shutdown()

    calls: Counter[tuple[str, str, str]] = Counter()
    for line in (workdir / "runs" / "06-handler-calls.log").read_text().splitlines():
        kernel, order, step, _key = line.split()
        calls[kernel, order, step] += 1
    ran_in_both = {(o, s) for (k, o, s) in calls if k == "1" and calls["2", o, s]}
    assert ran_in_both == {("A", "pack")}, "only the step in flight at the kill runs again"
    assert all(n == 1 for n in calls.values())


@pytest.mark.parametrize("index", [0, 1], ids=DURABLE_PAIR)
def test_saved_outputs_are_current(
    pair: tuple[Path, NotebookNode, NotebookNode], index: int
) -> None:
    name, fresh = DURABLE_PAIR[index], pair[1 + index]
    saved = (NOTEBOOKS / name).read_text(encoding="utf-8")
    assert dumps(fresh) == saved, (
        f"{name}: saved outputs are stale; refresh with `python tests/notebooks/nbrun.py 06`"
    )
