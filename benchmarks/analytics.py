"""Analytics over a large history: the first copy into DuckDB, two ready-made questions,
and an incremental refresh, on a database with ``--rows`` audit rows (1,000,000 by default).

The database has the engine's real schema (made by opening an engine) and one registered
sequence with an A/B split; its instances and audit rows are written straight into SQLite,
shaped as the engine writes them (20 rows an instance: transitions, the variant, four
steps with retries and usage), because running a million steps would take the engine
minutes and measure the engine, not the analytics.

Targets (issue 8): each question answers in under 1 s after the first load, and a refresh
after 10,000 new audit rows costs under 10% of a full reload.

    python benchmarks/analytics.py --rows 1000000 --json benchmarks/analytics-latest.json
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orch8_nb as o8

HANDLERS = ("fetch", "llm", "score", "notify")
ROWS_PER_INSTANCE = 20


def build(path: Path, rows: int, seed: int = 7) -> str:
    """A database of about ``rows`` audit rows; returns the sequence id."""
    engine = o8.Engine(f"sqlite:///{path}", autostart=False)
    split = o8.ab_split("prompt", o8.variant("a", 1, o8.step("s", "noop")),
                        o8.variant("b", 1, o8.step("t", "noop")))  # fmt: skip
    seq = engine.upsert_sequence(o8.sequence("bench", split))
    engine.shutdown()
    assert seq.id is not None
    add_instances(path, seq.id, rows // ROWS_PER_INSTANCE, start=0, seed=seed)
    return seq.id


def add_instances(path: Path, sequence_id: str, count: int, *, start: int, seed: int) -> int:
    """Append ``count`` finished instances with their audit rows; returns rows written."""
    rnd = random.Random(seed + start)
    conn = sqlite3.connect(path)
    instances: list[tuple[object, ...]] = []
    audit: list[tuple[object, ...]] = []
    t0 = 1_767_225_600_000
    for n in range(start, start + count):
        iid = f"i{n:09d}"
        variant = rnd.choice(("a", "b"))
        at = t0 + n * 50
        clock = at
        mine: list[tuple[object, ...]] = []
        mine.append((iid, "state_transition", "scheduled", "running", None,
                     '{"reason": "claimed"}', clock))  # fmt: skip
        mine.append((iid, "variant_assigned", None, None, "prompt",
                      json.dumps({"variant": variant, "variant_index": "ab".index(variant)}),
                      clock))  # fmt: skip
        for handler in HANDLERS:
            tries = 2 if rnd.random() < 0.1 else 1
            for attempt in range(tries):
                ms = rnd.lognormvariate(3 if variant == "a" else 3.3, 0.6)
                clock += int(ms) + 1
                outcome = "retrying" if attempt < tries - 1 else "completed"
                details = {"handler": handler, "attempt": attempt, "outcome": outcome,
                           "started_at": clock - int(ms), "duration_ms": round(ms, 3),
                           "params": {"n": n}}  # fmt: skip
                if handler == "llm" and outcome == "completed":
                    tokens = rnd.randint(200, 900)
                    details["usage"] = {"input_tokens": tokens, "output_tokens": 50,
                                        "total_tokens": tokens + 50,
                                        "cost_microunits": tokens}  # fmt: skip
                if outcome == "retrying":
                    details["error"] = {"message": "busy", "retryable": True, "kind": "handler"}
                mine.append((iid, "step_attempt", None, None, handler, json.dumps(details), clock))
        while len(mine) < ROWS_PER_INSTANCE - 1:  # signals and other events, to fill up
            mine.append((iid, "signal_delivered", None, None, None, '{"signal": "noop"}', clock))
        mine.append((iid, "state_transition", "running", "completed", None,
                     '{"reason": "done"}', clock))  # fmt: skip
        audit.extend(mine)
        instances.append((iid, sequence_id, "completed", at, clock))
    conn.executemany(
        "INSERT INTO instances (id, sequence_id, tenant_id, namespace, state, created_at, "
        "updated_at) VALUES (?, ?, 'default', 'default', ?, ?, ?)", instances)  # fmt: skip
    conn.executemany(
        "INSERT INTO audit_log (id, instance_id, tenant_id, event_type, from_state, to_state, "
        "block_id, details, created_at) VALUES (lower(hex(randomblob(16))), ?, 'default', ?, "
        "?, ?, ?, ?, ?)", audit)  # fmt: skip
    conn.commit()
    conn.close()
    return len(audit)


def timed(fn: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--new-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.db"
        started = time.perf_counter()
        sequence_id = build(path, args.rows)
        built = time.perf_counter() - started
        total = sqlite3.connect(path).execute("SELECT count(*) FROM audit_log").fetchone()[0]
        print(f"built {total:,} audit rows in {built:.1f} s", file=sys.stderr)

        engine = o8.Engine(f"sqlite:///{path}", autostart=False)
        analytics = engine.analytics
        full = timed(analytics.refresh, 1)[0]
        duck_mb = analytics.sql(
            "SELECT sum(memory_usage_bytes) / 1e6 FROM duckdb_memory()", refresh=False
        ).fetchall()[0][0]
        latency = timed(analytics.step_latency, args.repeat)
        ab = timed(analytics.ab_outcomes, args.repeat)
        print(analytics.step_latency().text())
        print(analytics.ab_outcomes().text())

        added = add_instances(path, sequence_id, args.new_rows // ROWS_PER_INSTANCE,
                              start=total // ROWS_PER_INSTANCE + 1, seed=11)  # fmt: skip
        incremental = timed(analytics.refresh, 1)[0]
        engine.shutdown()

        again = o8.Engine(f"sqlite:///{path}", autostart=False)
        reload = timed(again.analytics.refresh, 1)[0]
        again.shutdown()

    report = {
        "audit_rows": total,
        "new_rows": added,
        "first_load_s": round(full, 3),
        "duckdb_memory_mb": round(duck_mb, 1),
        "full_reload_s": round(reload, 3),
        "step_latency_s": round(statistics.median(latency), 4),
        "ab_outcomes_s": round(statistics.median(ab), 4),
        "refresh_after_new_rows_s": round(incremental, 4),
        "refresh_vs_reload": round(incremental / reload, 4),
        "runs": {"step_latency": latency, "ab_outcomes": ab},
    }
    latency_s = report["step_latency_s"]
    print(f"""
| measure | time | target |
|---|---:|---:|
| first copy of {total:,} audit rows | {full:.2f} s | |
| DuckDB memory after it | {duck_mb:,.0f} MB | |
| p50/p95 step latency by handler (median of {args.repeat}) | {latency_s:.3f} s | < 1 s |
| A/B outcome table (median of {args.repeat}) | {report["ab_outcomes_s"]:.3f} s | < 1 s |
| refresh after {added:,} new audit rows | {incremental:.3f} s | |
| full reload of {total + added:,} rows | {reload:.2f} s | |
| refresh / full reload | **{report["refresh_vs_reload"]:.1%}** | < 10% |""")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
