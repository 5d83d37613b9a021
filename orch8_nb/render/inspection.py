"""The inspector's payload for one block: what it was given, what it did, what it awaits.

Everything comes from committed data (the instance row, output rows, the audit log), so
the inspector shows what survives a crash. Params are those the last attempt was given,
from its audit row; a step that has not run yet shows them resolved against the current
context and outputs (leniently, without ``now()``, ``random()`` or ``uuid()``). The
context is the instance's as it stands: it changes only through audited events
(``update_context`` signals, worker outputs merged into it, migrations).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orch8_nb.errors import Orch8Error
from orch8_nb.expr import Scope, resolve_templates
from orch8_nb.model import ERROR_REF, RETRY_REF, AuditEntry, BlockOutput, StepDef
from orch8_nb.model.blocks import Block
from orch8_nb.model.execution import APPROVAL_REQUEST, NodeState
from orch8_nb.model.timestamps import datetime_to_ms
from orch8_nb.render.views import InstanceData, read_instance

if TYPE_CHECKING:
    from orch8_nb.engine.instance import Instance

#: Audit wording of attempt outcomes, mapped to the states the front end draws.
ATTEMPT_OUTCOMES = {"retrying": "retried", "cached": "completed"}


def inspection(instance: Instance, block_id: str) -> dict[str, Any]:
    """The ``inspection`` message for ``block_id`` (``KeyError`` if the sequence has none)."""
    engine = instance._engine._live()
    data = read_instance(engine, instance.id)
    block = next((r.block for r in data.sequence.iter_blocks() if r.block.id == block_id), None)
    if block is None:
        raise KeyError(f"the sequence has no block {block_id!r}")
    rows = [o for o in data.outputs if o.block_id == block_id]
    audit = [a for a in engine.audit(instance.id) if a.block_id == block_id]
    return {
        "type": "inspection",
        "block_id": block_id,
        "params": _params(block, data, audit),
        "output": next((r.output for r in reversed(rows) if r.output_ref is None), None),
        "error": _error(rows),
        "attempts": attempts(audit),
        "context": {
            "data": data.row.context_data,
            "config": data.row.context_config,
            "runtime": data.row.context_runtime,
        },
        "audit": [_audit_row(a) for a in audit],
        "gate": _gate(block, data.row.metadata) if _waiting(data, block_id) else None,
    }


def _waiting(data: InstanceData, block_id: str) -> bool:
    """Whether the block's node waits now: a gate already answered offers no buttons."""
    return any(n.block_id == block_id and n.state == NodeState.WAITING for n in data.nodes)


def attempts(audit: Sequence[AuditEntry]) -> list[dict[str, Any]]:
    """One entry per handler attempt, oldest first, from the ``step_attempt`` audit rows."""
    found = []
    for entry in audit:
        details = entry.details if isinstance(entry.details, dict) else {}
        if entry.event_type != "step_attempt":
            continue
        outcome = str(details.get("outcome", ""))
        error = details.get("error")
        message = error.get("message") if isinstance(error, dict) else None
        found.append(
            {
                "attempt": int(details.get("attempt", 0)) + 1,
                "state": ATTEMPT_OUTCOMES.get(outcome, outcome),
                "started_at": details.get("started_at"),
                "duration_ms": details.get("duration_ms"),
                "error": first_line(message),
            }
        )
    return found


def _audit_row(entry: AuditEntry) -> dict[str, Any]:
    details = entry.details if isinstance(entry.details, dict) else {"value": entry.details}
    return {"event_type": entry.event_type, "at": datetime_to_ms(entry.created_at),
            "details": details}  # fmt: skip


def first_line(text: Any) -> str | None:
    return text.strip().splitlines()[0] if isinstance(text, str) and text.strip() else None


def _params(block: Block, data: InstanceData, audit: Sequence[AuditEntry]) -> Any:
    """What the last attempt was given (kept in its audit row), else the params resolved
    now (a step that has not run yet, or one recorded before audit rows kept them)."""
    if not isinstance(block, StepDef):
        return None
    for entry in reversed(audit):
        if entry.event_type == "step_attempt" and isinstance(entry.details, dict):
            if "params" in entry.details:
                return entry.details["params"]
            break
    row = data.row
    latest = {o.block_id: o.output for o in data.outputs if o.output_ref is None}
    scope = Scope(
        data=row.context_data,
        config=row.context_config,
        audit=row.context_audit,
        runtime=row.context_runtime,
        outputs=latest,
        instance_id=row.id,
    )
    try:
        return resolve_templates(block.params, scope, strict=False)
    except (Orch8Error, ValueError, TypeError):
        return block.params  # shown as written rather than not at all


def _error(rows: Sequence[BlockOutput]) -> Any:
    """The error of the block's last attempt, if that attempt failed."""
    if not rows:
        return None
    last = rows[-1]
    if last.output_ref == ERROR_REF:
        return last.output
    if last.output_ref == RETRY_REF and isinstance(last.output, dict):
        return last.output.get("error")
    return None


def _gate(block: Block, metadata: Mapping[str, Any]) -> dict[str, Any] | None:
    """The gate's question: the step's ``wait_for_input``, or what its handler asked."""
    asked = metadata.get(APPROVAL_REQUEST + block.id)
    if isinstance(asked, dict):
        return {
            "prompt": asked.get("prompt") or block.id,
            "choices": [c["value"] for c in asked.get("choices") or () if isinstance(c, dict)],
            "allow_comment": bool(asked.get("allow_comment", True)),
        }
    spec = block.wait_for_input if isinstance(block, StepDef) else None
    if spec is None:
        return None
    return {
        "prompt": spec.prompt or block.id,
        "choices": [c.value for c in spec.effective_choices],
        "allow_comment": spec.allow_comment,
    }
