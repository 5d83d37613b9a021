"""Workload W3: a sequential 3-step sequence of trivial handlers.

Prints steps/s for orch8-nb on SQLite (WAL, synchronous=NORMAL), (a) one instance after
another and (b) 64 in flight, next to the raw-SQLite ceiling measured in the same run: one
committed single-row transaction per step with the stdlib ``sqlite3`` module.

    python benchmarks/w3.py [--instances 1000] [--repeat 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from orch8_nb import __version__
from orch8_nb.engine.core import AsyncEngine

SEQUENCE = {
    "name": "w3",
    "blocks": [
        {"type": "step", "id": "one", "handler": "trivial"},
        {"type": "step", "id": "two", "handler": "trivial"},
        {"type": "step", "id": "three", "handler": "trivial"},
    ],
}
STEPS = 3


def raw_ceiling(steps: int, folder: Path) -> float:
    """Steps/s when every step is one committed single-row transaction (stdlib sqlite3)."""
    path = folder / "raw.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE outputs (id INTEGER PRIMARY KEY, block TEXT, output TEXT)")
    start = time.perf_counter()
    for i in range(steps):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO outputs (block, output) VALUES (?, ?)", (f"b{i % 3}", "{}"))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return steps / elapsed


async def engine_run(instances: int, in_flight: int, folder: Path, tag: str) -> float:
    engine = AsyncEngine(f"sqlite:///{folder / f'{tag}.db'}")

    async def trivial(ctx: object) -> dict[str, bool]:
        return {"ok": True}

    engine.register_handler("trivial", trivial)
    await engine.start()
    seq = await engine.upsert_sequence(SEQUENCE)
    left = instances

    async def client() -> None:
        """One of ``in_flight`` callers, each starting an instance and waiting for it."""
        nonlocal left
        while left > 0:
            left -= 1
            iid, _ = await engine.create_instance(seq)
            state = await engine.wait(iid)
            assert state == "completed", state

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(in_flight)))
    elapsed = time.perf_counter() - start
    await engine.shutdown()
    return instances * STEPS / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows: dict[str, list[float]] = {"raw": [], "sequential": [], "concurrent": []}
    for rep in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="orch8-w3-") as tmp:
            folder = Path(tmp)
            rows["raw"].append(raw_ceiling(args.instances * STEPS, folder))
            rows["sequential"].append(
                asyncio.run(engine_run(args.instances, 1, folder, f"seq{rep}"))
            )
            rows["concurrent"].append(
                asyncio.run(engine_run(args.instances, 64, folder, f"conc{rep}"))
            )
        print(
            f"run {rep + 1}/{args.repeat}: raw {rows['raw'][-1]:,.0f}  "
            f"sequential {rows['sequential'][-1]:,.0f}  concurrent {rows['concurrent'][-1]:,.0f}"
            " steps/s",
            file=sys.stderr,
        )
    med = {k: statistics.median(v) for k, v in rows.items()}
    report = {
        "workload": "W3 (3 sequential trivial steps)",
        "instances": args.instances,
        "repeat": args.repeat,
        "median_steps_per_s": {k: round(v) for k, v in med.items()},
        "ratio_to_raw": {
            "sequential": round(med["sequential"] / med["raw"], 4),
            "concurrent": round(med["concurrent"] / med["raw"], 4),
        },
        "targets": {"sequential": 0.05, "concurrent": 0.10},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(),
            "orch8_nb": __version__,
        },
    }
    print(f"{'':14}{'steps/s':>10}{'ratio':>8}{'target':>8}")
    print(f"{'raw sqlite':14}{med['raw']:>10,.0f}")
    for key in ("sequential", "concurrent"):
        ratio = report["ratio_to_raw"][key]  # type: ignore[index]
        target = report["targets"][key]  # type: ignore[index]
        print(f"{key:14}{med[key]:>10,.0f}{ratio:>8.1%}{target:>8.0%}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
