"""Load test of the worker protocol on loopback: ``--workers`` external workers (20)
poll, run and complete ``--tasks`` worker tasks (10,000) over HTTP against
``engine.serve()``; then every instance must be completed with its step's output
committed exactly once, and no task completed twice.

    python benchmarks/workers_load.py --tasks 10000 --workers 20 \
        --json benchmarks/workers-latest.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

import orch8_nb as o8

SEQUENCE = {"name": "load", "blocks": [{"type": "step", "id": "work", "handler": "external",
                                        "params": {"n": "{{ data.n }}"}}]}  # fmt: skip


async def worker(url: str, name: str, done: Counter[str], stop: asyncio.Event) -> None:
    """Poll up to 10 tasks, complete each with its params, until ``stop``."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        while not stop.is_set():
            poll = {"handler_name": "external", "worker_id": name, "limit": 10}
            tasks = (await client.post("/api/v1/workers/tasks/poll", json=poll)).json()
            if not tasks:
                await asyncio.sleep(0.02)
                continue
            for task in tasks:
                body = {"worker_id": name, "claim_epoch": task["claim_epoch"],
                        "output": {"n": task["params"]["n"], "by": name}}  # fmt: skip
                answer = await client.post(f"/api/v1/workers/tasks/{task['id']}/complete",
                                           json=body)  # fmt: skip
                if answer.status_code == 200:
                    done[task["id"]] += 1
                elif answer.status_code != 409:  # 409: a stale lease, the task went elsewhere
                    raise RuntimeError(f"complete failed: {answer.status_code} {answer.text}")


async def run_workers(url: str, count: int, engine: o8.Engine, total: int,
                      limit_s: float) -> tuple[Counter[str], float]:  # fmt: skip
    done: Counter[str] = Counter()
    stop = asyncio.Event()
    started = time.perf_counter()
    workers = [asyncio.create_task(worker(url, f"w{i:02d}", done, stop)) for i in range(count)]
    try:
        while len(done) < total:
            if time.perf_counter() - started > limit_s:
                raise TimeoutError(f"only {len(done)} of {total} tasks done in {limit_s:g} s")
            if any(w.done() for w in workers):
                for w in workers:
                    if w.done():
                        w.result()  # re-raise a worker's failure
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        stop.set()
        await asyncio.gather(*workers, return_exceptions=True)
    return done, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--limit-s", type=float, default=600)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.db"
        engine = o8.Engine(f"sqlite:///{db}", max_concurrent_instances=256)
        with engine.serve(port=0) as server:
            seq = httpx.post(f"{server.url}/api/v1/sequences", json=SEQUENCE).json()
            created = time.perf_counter()
            for start in range(0, args.tasks, 500):
                batch = [{"sequence_id": seq["id"], "context": {"data": {"n": n}}}
                         for n in range(start, min(start + 500, args.tasks))]  # fmt: skip
                answer = httpx.post(f"{server.url}/api/v1/instances/batch",
                                    json={"instances": batch}, timeout=120)  # fmt: skip
                assert answer.status_code == 201, answer.text
            created = time.perf_counter() - created
            print(f"created {args.tasks:,} instances in {created:.1f} s", file=sys.stderr)
            done, elapsed = asyncio.run(
                run_workers(server.url, args.workers, engine, args.tasks, args.limit_s)
            )
            deadline = time.perf_counter() + 60
            while engine.counts().get("completed", 0) < args.tasks:
                assert time.perf_counter() < deadline, engine.counts()
                time.sleep(0.05)
        engine.shutdown()
        conn = sqlite3.connect(db)
        outputs = conn.execute(
            "SELECT count(*), count(DISTINCT instance_id) FROM block_outputs "
            "WHERE block_id = 'work' AND output_ref IS NULL"
        ).fetchone()
        states = dict(conn.execute("SELECT state, count(*) FROM instances GROUP BY state"))
        conn.close()
    twice = sum(1 for n in done.values() if n > 1)
    report: dict[str, Any] = {
        "tasks": args.tasks,
        "workers": args.workers,
        "seconds": round(elapsed, 2),
        "tasks_per_s": round(args.tasks / elapsed, 1),
        "instances_by_state": states,
        "outputs": outputs[0],
        "instances_with_output": outputs[1],
        "completed_twice": twice,
        "lost": args.tasks - len(done),
    }
    ok = (states == {"completed": args.tasks} and outputs == (args.tasks, args.tasks)
          and twice == 0 and report["lost"] == 0)  # fmt: skip
    print(json.dumps(report, indent=2))
    verdict = "OK" if ok else "FAILED"
    print(f"\n{args.workers} workers, {args.tasks:,} tasks: {report['tasks_per_s']:,} tasks/s; "
          f"lost {report['lost']}, completed twice {twice}: {verdict}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
