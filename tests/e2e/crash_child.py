"""Child process for the crash test: runs 50 instances of a 5-step sequence (one shape
starts a sub-sequence per instance).

Every handler appends ``instance_id block_id`` to a log file *before* its result can
commit, so the parent can compare what ran with what committed after a SIGKILL.
Instances are created with idempotency keys, so each restarted child resumes the same 50.
"""

from __future__ import annotations

import os
import sys
import time

from orch8_nb.engine import Engine, StepContext

INSTANCES = 50
STEPS = ("s1", "s2", "s3", "s4", "s5")


SHAPES = {
    "steps": [{"type": "step", "id": s, "handler": s} for s in STEPS],
    # s1, then s2 and s3 in parallel, then a loop running s4 three times, then s5.
    "composite": [
        {"type": "step", "id": "s1", "handler": "s1"},
        {"type": "parallel", "id": "fan", "branches": [
            [{"type": "step", "id": "s2", "handler": "s2"}],
            [{"type": "step", "id": "s3", "handler": "s3"}],
        ]},
        {"type": "loop", "id": "again", "condition": "true", "max_iterations": 3,
         "body": [{"type": "step", "id": "s4", "handler": "s4"}]},
        {"type": "step", "id": "s5", "handler": "s5"},
    ],
    # s1, then a child instance running s2, s3 and s4, then s5.
    "sub_sequence": [
        {"type": "step", "id": "s1", "handler": "s1"},
        {"type": "sub_sequence", "id": "call", "sequence_name": "crash-child",
         "input": {"n": "{{ context.data.n }}"}},
        {"type": "step", "id": "s5", "handler": "s5"},
    ],
}  # fmt: skip
CHILD_BLOCKS = [{"type": "step", "id": s, "handler": s} for s in ("s2", "s3", "s4")]


def main(db: str, log: str, shape: str = "steps") -> None:
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    engine = Engine(f"sqlite:///{db}", max_concurrent_instances=16)

    def work(ctx: StepContext) -> dict[str, int]:
        # One line per execution; the loop's s4 runs once per iteration (attempt is 0).
        count = ctx.state.get(f"n:{ctx.block_id}", 0) if ctx.block_id == "s4" else 0
        os.write(fd, f"{ctx.instance_id} {ctx.block_id}#{count}\n".encode())
        if ctx.block_id == "s4":
            ctx.state[f"n:{ctx.block_id}"] = count + 1
        time.sleep(0.002)
        return {"attempt": ctx.attempt}

    for name in STEPS:
        engine.handler(name)(work)
    engine.upsert_sequence({"name": "crash-child", "blocks": CHILD_BLOCKS})
    seq = engine.upsert_sequence({"name": f"crash-{shape}", "blocks": SHAPES[shape]})
    instances = [
        engine.create_instance(seq, {"n": i}, idempotency_key=f"crash-{i}")
        for i in range(INSTANCES)
    ]
    print("ready", flush=True)
    for inst in instances:
        inst.wait(timeout=120)
    print("done", flush=True)
    engine.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:4])
