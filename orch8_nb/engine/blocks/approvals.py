"""What a person needs to answer a human-input gate, and checking their answer."""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks.handler_approval import as_gate
from orch8_nb.engine.catalog import SequenceCatalog
from orch8_nb.errors import Problem, SignalValidationError
from orch8_nb.model.execution import APPROVAL_REQUEST
from orch8_nb.storage.base import Storage
from orch8_nb.storage.rows import InstanceFilter, InstanceRow, NodeRow


async def pending_approvals(
    storage: Storage, catalog: SequenceCatalog, tenant_id: str
) -> list[dict[str, Any]]:
    """Human-input gates waiting for an answer, oldest first."""
    items: list[dict[str, Any]] = []
    flt = InstanceFilter(tenant_id=tenant_id, states=("waiting", "scheduled"))
    for row in await storage.list_instances(flt, 10_000, 0):
        seq = await catalog.for_instance(row)
        for node in await storage.get_tree(row.id):
            if node.state != "waiting":
                continue
            request = row.metadata.get(APPROVAL_REQUEST + node.block_id)
            if isinstance(request, dict):  # asked for by the running handler
                item = approval_item(row, seq.definition.name, node, as_gate(request))
                items.append({**item, "key": request.get("key", ""),
                              "details": request.get("details")})  # fmt: skip
                continue
            spec = getattr(seq.block(node.block_id), "wait_for_input", None)
            if spec is not None:
                items.append(approval_item(row, seq.definition.name, node, spec))
    return sorted(items, key=lambda item: (item["waiting_since"] or 0, item["instance_id"]))


def approval_item(row: InstanceRow, sequence: str, node: NodeRow, spec: Any) -> dict[str, Any]:
    """One waiting gate, shaped like Orch8's ``ApprovalItem``."""
    return {
        "instance_id": row.id,
        "sequence_name": sequence,
        "block_id": node.block_id,
        "prompt": spec.prompt,
        "choices": [{"label": c.label, "value": c.value} for c in spec.effective_choices],
        "store_as": spec.store_key(node.block_id),
        "allow_comment": spec.allow_comment,
        "timeout_ms": None if spec.timeout is None else int(spec.timeout),
        "waiting_since": node.started_at,
    }


def check_answer(spec: Any, block_id: str, value: Any, comment: Any) -> dict[str, Any]:
    """The signal payload for an answer, or ``SignalValidationError`` naming what is wrong."""
    allowed = [c.value for c in spec.effective_choices]
    if value not in allowed:
        raise SignalValidationError(
            [Problem("payload.value", f"{value!r} is not a choice of gate {block_id!r} "
                     f"(choices: {', '.join(map(repr, allowed))})")]
        )  # fmt: skip
    if comment is not None and not spec.allow_comment:
        raise SignalValidationError(
            [Problem("payload.comment", f"gate {block_id!r} does not take a comment")]
        )
    return {"value": value} if comment is None else {"value": value, "comment": comment}
