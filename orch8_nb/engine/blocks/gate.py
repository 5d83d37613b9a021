"""Human-input gates (a step's ``wait_for_input``): the handler runs only once a person
has answered with the custom signal ``human_input:<block_id>`` and payload
``{"value": <one of the choices>, "comment"?: ...}``.

Accepting writes the output ``{value, _orch8_human_gate: true}`` (plus ``comment`` when
allowed), stores the value in ``context.data[store_as or block id]``, and remembers the
answer in instance metadata (``_gate:<id>``, cleared by a loop's next iteration). A
payload that is not a valid choice is consumed and recorded, never retried. Without an
answer the step waits; after ``timeout`` (from the step's start) an ``escalation_handler``
gets the step's result ``{_escalated, _escalation_handler, _timeout_seconds}`` (the
handler does not run) or, without one, the step fails with a timeout.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.evaluator import Evaluation
from orch8_nb.engine.run import Run, StepError, fail_node
from orch8_nb.engine.signals import deliver
from orch8_nb.storage.rows import NodeRow, SignalRow

GATE_PREFIX = "_gate:"
SIGNAL_PREFIX = "custom:human_input:"


def gate_passed(run: Run, node: NodeRow, block: Any, ev: Evaluation) -> bool:
    """True once the gate is answered; otherwise the node waits (and False is returned)."""
    spec = block.wait_for_input
    key = f"{GATE_PREFIX}{block.id}"
    if key in run.inst.metadata:
        return True
    for sig in [s for s in run.signals if s.signal_type == SIGNAL_PREFIX + block.id]:
        answer = _valid(spec, sig)
        if answer is None:
            deliver(run, sig, ignored="not one of the gate's choices")
            continue
        deliver(run, sig)
        output: dict[str, Any] = {"value": answer["value"], "_orch8_human_gate": True}
        if spec.allow_comment and answer.get("comment") is not None:
            output["comment"] = answer["comment"]
        run.add_output(block.id, output, attempt=0)
        run.merge_data({spec.store_key(block.id): answer["value"]})
        run.set_metadata(key, answer["value"])
        if node.state == "waiting":
            run.set_node(node, "running")
        ev.changed = True
        return True
    if spec.timeout is not None and node.started_at is not None:
        deadline = node.started_at + int(spec.timeout)
        if run.now() >= deadline:
            _time_out(run, node, block, ev)
            return False
        ev.wake(deadline)
    if node.state != "waiting":
        run.set_node(node, "waiting")
        run.touch_runtime(current_step=block.id, current_step_started_at=run.now())
        ev.changed = True
    ev.waiting = True
    return False


def _valid(spec: Any, sig: SignalRow) -> dict[str, Any] | None:
    payload = sig.payload
    if not isinstance(payload, dict) or "value" not in payload:
        return None
    allowed = {choice.value for choice in spec.effective_choices}
    return payload if payload["value"] in allowed else None


def _time_out(run: Run, node: NodeRow, block: Any, ev: Evaluation) -> None:
    spec = block.wait_for_input
    seconds = int(spec.timeout) / 1000
    if spec.escalation_handler:
        run.add_output(
            block.id,
            {"_escalated": True, "_escalation_handler": spec.escalation_handler,
             "_timeout_seconds": seconds},
            attempt=0,
        )  # fmt: skip
        run.set_node(node, "completed")
    else:
        error = StepError(f"no human input within {seconds:g} s", False, kind="timeout")
        run.audit("step_failed", {"error": error.to_json()}, block_id=block.id)
        fail_node(run, node, error)
    ev.changed = True
