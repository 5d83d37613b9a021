"""Tree evaluation must not be quadratic: time per step for long sequences vs short ones.

Runs, on SQLite (WAL, synchronous=NORMAL) with trivial async handlers:
- 10 sequential steps vs 1,000 sequential steps;
- a for_each over 10 items vs over 1,000 items (one step per item);
- the same with ``max_parallel: 8`` (each item a child instance).
Prints microseconds per step and the ratio long/short (target: within 2x).

    python benchmarks/tree_scaling.py [--repeat 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from orch8_nb.engine.core import AsyncEngine


def sequential(n: int) -> dict[str, Any]:
    return {
        "name": f"seq{n}",
        "blocks": [{"type": "step", "id": f"s{i}", "handler": "trivial"} for i in range(n)],
    }


def each(n: int, max_parallel: int | None = None) -> dict[str, Any]:
    extra = {} if max_parallel is None else {"max_parallel": max_parallel}
    return {
        "name": f"each{n}",
        "blocks": [
            {
                "type": "for_each",
                "id": "each",
                "collection": "context.data.items",
                "body": [{"type": "step", "id": "work", "handler": "trivial"}],
                "max_iterations": max(n, 1),
                **extra,
            }
        ],
    }


async def per_step_us(definition: dict[str, Any], data: dict[str, Any], steps: int) -> float:
    with tempfile.TemporaryDirectory(prefix="orch8-tree-") as tmp:
        engine = AsyncEngine(f"sqlite:///{Path(tmp) / 'tree.db'}")

        async def trivial(ctx: object) -> dict[str, bool]:
            return {"ok": True}

        engine.register_handler("trivial", trivial)
        await engine.start()
        seq = await engine.upsert_sequence(definition)
        start = time.perf_counter()
        iid, _ = await engine.create_instance(seq, data)
        state = await engine.wait(iid)
        elapsed = time.perf_counter() - start
        assert state == "completed", state
        await engine.shutdown()
    return elapsed / steps * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cases = {
        "sequential": (sequential, lambda n: {}),
        "for_each": (each, lambda n: {"items": list(range(n))}),
        "for_each x8": (lambda n: each(n, 8), lambda n: {"items": list(range(n))}),
    }
    report: dict[str, Any] = {}
    for name, (build, data) in cases.items():
        short = [asyncio.run(per_step_us(build(10), data(10), 10)) for _ in range(args.repeat)]
        long = [asyncio.run(per_step_us(build(1000), data(1000), 1000)) for _ in range(args.repeat)]
        s, lg = statistics.median(short), statistics.median(long)
        report[name] = {"us_per_step_10": round(s), "us_per_step_1000": round(lg),
                        "ratio": round(lg / s, 2)}  # fmt: skip
        print(f"{name:12} 10 blocks {s:8.0f} µs/step   1,000 blocks {lg:8.0f} µs/step   "
              f"ratio {lg / s:4.2f} (target ≤ 2)", file=sys.stdout)  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
