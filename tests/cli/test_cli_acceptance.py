"""The installed ``orch8-nb`` script, as a new user runs it: ``init`` in an empty folder,
then ``run sequence.json``; plus exit code 3 when another process cancels the run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from orch8_nb.engine import Engine
from orch8_nb.engine.clock import perf_counter, real_sleep


def test_init_then_run_works_out_of_the_box(orch8_nb, project: Path) -> None:
    init = orch8_nb("init")
    assert init.returncode == 0, init.stderr
    assert sorted(p.name for p in project.iterdir()) == [
        "hello.ipynb",
        "orch8.toml",
        "sequence.json",
    ]

    run = orch8_nb("run", "sequence.json")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Hello, world!" in run.stdout
    assert "completed in " in run.stdout
    assert "Traceback" not in run.stderr
    assert (project / "orch8.db").exists()

    again = orch8_nb("run", "sequence.json", "--input", '{"name": "Ada"}', "--json")
    assert again.returncode == 0, again.stderr
    payload = json.loads(again.stdout)
    assert payload["outputs"]["greet"] == {"message": "Hello, Ada!"}
    assert payload["sequence"]["version"] == 1

    rerun = orch8_nb("init")
    assert rerun.returncode == 0
    assert rerun.stdout.count("kept existing") == 3


def test_the_starter_notebook_runs(orch8_nb, project: Path, python3_kernel: str) -> None:
    assert orch8_nb("init").returncode == 0
    result = orch8_nb("notebooks", "run", "hello.ipynb", "-p", "name", "Grace", "-o", "out.ipynb")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr  # the kernel's own start-up noise is silenced
    text = (project / "out.ipynb").read_text(encoding="utf-8")
    assert "HELLO, GRACE!" in text


def test_cancel_from_another_process_exits_3(project: Path, script: str) -> None:
    (project / "seq.json").write_text(
        json.dumps(
            {
                "name": "long",
                "blocks": [
                    {
                        "type": "step",
                        "id": "later",
                        "handler": "noop",
                        "delay": {"duration": 20_000},
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    child = subprocess.Popen(
        [script, "run", "seq.json", "--json", "--timeout", "60"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        engine = Engine(f"sqlite:///{project / 'orch8.db'}", autostart=False)
        try:
            deadline = perf_counter() + 20
            # The step's delay parks the instance on a timer: cancel it there.
            while not (parked := engine.list_instances("scheduled")):
                assert perf_counter() < deadline, "the run never started"
                assert child.poll() is None, child.communicate()
                real_sleep(0.05)
            parked[0].cancel()
        finally:
            engine.shutdown()
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 3, out + err
    assert json.loads(out)["state"] == "cancelled"
    assert "cancelled after" in err
