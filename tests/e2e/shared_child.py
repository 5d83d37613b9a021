"""Child process for the two-engine test: one of two engines sharing one database file.

Each child creates its half of the instances due a moment later (so both engines' schedulers
compete to claim all of them), logs every handler execution, and exits when every
instance of both halves is finished.
"""

from __future__ import annotations

import os
import sys
import time

from orch8_nb.engine import Engine, StepContext

PER_CHILD = 40
STEPS = ("a", "b", "c")


def main(db: str, log: str, tag: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    # Small batches so both engines keep claiming from the same pool.
    engine = Engine(f"sqlite:///{db}", batch_size=4, max_concurrent_instances=4)

    @engine.handler("work")
    def work(ctx: StepContext) -> dict[str, str]:
        os.write(fd, f"{ctx.instance_id} {ctx.block_id} {tag}\n".encode())
        time.sleep(0.001)
        return {"by": tag}

    seq = engine.upsert_sequence(
        {"name": "shared", "blocks": [{"type": "step", "id": s, "handler": "work"} for s in STEPS]}
    )
    due = engine.clock.now_ms() + 300
    for i in range(PER_CHILD):
        engine.create_instance(seq, {"i": i}, next_fire_at=due, idempotency_key=f"{tag}-{i}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        counts = engine.counts()
        if counts.get("completed", 0) == 2 * PER_CHILD:
            break
        time.sleep(0.05)
    print(engine.counts(), flush=True)
    engine.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
