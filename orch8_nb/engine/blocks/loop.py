"""``loop``: while ``condition`` holds, run the body again.

The condition is evaluated before each iteration, ``break_on`` after each (both leniently,
as in Orch8). The count is kept in instance metadata (``_loop:<id>``) and written as the
block's output ``{_iterations: n}`` after every iteration. A failing body fails the loop
unless ``continue_on_error``. ``poll_interval`` (seconds) waits between iterations; the
loop stops after ``max_iterations``. After the last iteration the body keeps its states.
With ``retain_iterations: N`` only the outputs of the last N iterations stay stored.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks._lanes import (
    Lane,
    advance_lane,
    all_pending,
    close,
    compact,
    finish,
    lanes,
    reset,
)
from orch8_nb.engine.evaluator import Evaluation
from orch8_nb.engine.run import Run
from orch8_nb.engine.scope import scope_for
from orch8_nb.expr import evaluate, truthy
from orch8_nb.storage.rows import NodeRow


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    body = lanes(run, node).get(None, [])
    count_key, poll_key = f"_loop:{block.id}", f"_poll:{block.id}"
    done = int(run.inst.metadata.get(count_key, 0))
    if all_pending(body):
        wait_until = run.inst.metadata.get(poll_key)
        if isinstance(wait_until, int) and run.now() < wait_until:
            ev.wake(wait_until)
            return
        if done >= block.max_iterations or not _holds(run, block.condition):
            close(run, body, "skipped")
            finish(run, node, ev, Lane.DONE)
            return
    result = advance_lane(run, body, ev, in_flight)
    if result is Lane.ACTIVE:
        return
    if result is Lane.CANCELLED or (result is Lane.FAILED and not block.continue_on_error):
        finish(run, node, ev, result)
        return
    done += 1
    run.add_output(block.id, {"_iterations": done}, attempt=0)
    if block.retain_iterations is not None:  # keep the end markers of the last N passes
        compact(run, node, block.retain_iterations)
    ev.changed = True
    if done >= block.max_iterations or (block.break_on and _holds(run, block.break_on)):
        finish(run, node, ev, Lane.DONE)
        return
    if not block.poll_interval and not _holds(run, block.condition):
        finish(run, node, ev, Lane.DONE)  # the body keeps the last iteration's states
        return
    reset(run, body)
    run.set_metadata(count_key, done)
    if block.poll_interval:
        run.set_metadata(poll_key, run.now() + int(block.poll_interval) * 1000)


def _holds(run: Run, expression: str) -> bool:
    return truthy(evaluate(expression, scope_for(run), strict=False))
