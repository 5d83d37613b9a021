"""``step``: the leaf. Decides *whether* and *when* the handler runs, never runs it.

Order before dispatch, as in Orch8: ``when`` guard, durable ``delay`` (computed once by
``engine/delays.py`` and remembered in instance metadata as ``_delay_until:<id>``), retry
backoff from the latest retry marker; then the step is ready with its attempt number.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks.gate import gate_passed
from orch8_nb.engine.delays import delay_until
from orch8_nb.engine.evaluator import Evaluation, Ready
from orch8_nb.engine.run import Run, StepError, fail_node
from orch8_nb.engine.scope import scope_for
from orch8_nb.errors import ExpressionError
from orch8_nb.expr import evaluate, truthy
from orch8_nb.model import RETRY_REF
from orch8_nb.storage.rows import NodeRow


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    if node.id in in_flight:
        return
    if node.state == "waiting" and block.wait_for_input is None:
        ev.waiting = True  # out with an external worker
        return
    now = run.now()
    if block.when is not None:
        try:
            go = truthy(evaluate(block.when, scope_for(run), strict=True))
        except ExpressionError as exc:
            error = StepError(f"when: {exc}", False, kind="config")
            run.audit("step_failed", {"error": error.to_json()}, block_id=block.id)
            fail_node(run, node, error)
            ev.changed = True
            return
        if not go:
            run.set_node(node, "skipped")
            run.audit("step_skipped", {"when": block.when}, block_id=block.id)
            ev.changed = True
            return
    if block.wait_for_input is not None and not gate_passed(run, node, block, ev):
        return
    if block.delay is not None:
        key = f"_delay_until:{block.id}"
        until = run.inst.metadata.get(key)
        if not isinstance(until, int):
            holidays = run.inst.context_config.get("holidays", ())
            until = delay_until(
                block.delay,
                now,
                instance_timezone=run.inst.timezone,
                config_holidays=holidays if isinstance(holidays, list) else (),
                random=run.clock.random(),
            )
            run.set_metadata(key, until)
        if now < until:
            ev.wake(until)
            return
    attempt = 0
    last = run.attempts.get(block.id)
    if last is not None and last.output_ref == RETRY_REF:
        retry_at = last.output.get("retry_at", 0) if isinstance(last.output, dict) else 0
        if now < retry_at:
            ev.wake(retry_at)
            return
        attempt = last.attempt + 1
    ev.ready.append(Ready(node, block, attempt))
