"""Approvals a running handler asks for (``raise AwaitApproval(...)``): the step waits
like a ``wait_for_input`` gate until the signal ``human_input:<block_id>`` answers with
one of the requested choices, then runs its handler again with the answer in
``ctx.approval``.

The request lives in instance metadata (``_approval_request:<id>``) while the step waits;
the answer moves to ``_approval:<id>`` until the handler's next result commits. An answer
that is not one of the choices, or was sent before the question was asked, or comes after
the first valid one, is consumed and recorded, never applied: a double click cannot
approve the next dangerous call.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks.gate import SIGNAL_PREFIX
from orch8_nb.engine.evaluator import Evaluation
from orch8_nb.engine.run import Run
from orch8_nb.engine.signals import deliver
from orch8_nb.model.blocks.step_options import HumanInputDef
from orch8_nb.model.execution import APPROVAL_ANSWER, APPROVAL_REQUEST
from orch8_nb.storage.rows import NodeRow


def requested(run: Run, block_id: str) -> dict[str, Any] | None:
    """The approval the step's handler is waiting for, if any."""
    request = run.inst.metadata.get(APPROVAL_REQUEST + block_id)
    return request if isinstance(request, dict) else None


def as_gate(request: dict[str, Any]) -> HumanInputDef:
    """The request seen as a human-input gate (for listings and answer checks)."""
    return HumanInputDef.model_validate(
        {"prompt": request.get("prompt", ""), "choices": request.get("choices"),
         "allow_comment": bool(request.get("allow_comment", True))}
    )  # fmt: skip


def approval_answered(run: Run, node: NodeRow, block: Any, ev: Evaluation) -> bool:
    """True once the request is answered (the handler may run again); else the node waits."""
    request = requested(run, block.id)
    assert request is not None
    allowed = {c["value"] for c in request.get("choices") or () if isinstance(c, dict)}
    asked_at = request.get("requested_at", 0)
    answers = [s for s in run.signals if s.signal_type == SIGNAL_PREFIX + block.id]
    for index, sig in enumerate(answers):
        payload = sig.payload
        if isinstance(asked_at, int) and sig.created_at < asked_at:
            deliver(run, sig, ignored="sent before this approval was asked for")
            continue
        if not isinstance(payload, dict) or payload.get("value") not in allowed:
            deliver(run, sig, ignored="not one of the approval's choices")
            continue
        deliver(run, sig)
        for extra in answers[index + 1 :]:  # a second click must not answer the next question
            deliver(run, extra, ignored="the approval was already answered")
        answer: dict[str, Any] = {"key": request.get("key", ""), "value": payload["value"]}
        if payload.get("comment") is not None:
            answer["comment"] = payload["comment"]
        del run.inst.metadata[APPROVAL_REQUEST + block.id]
        run.set_metadata(APPROVAL_ANSWER + block.id, answer)
        run.audit("approval_answered", answer, block_id=block.id)
        run.set_node(node, "running")
        ev.changed = True
        return True
    ev.waiting = True
    return False
