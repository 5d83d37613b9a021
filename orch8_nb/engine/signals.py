"""What each signal does to an instance the engine currently holds.

``pause`` stops processing (the instance goes ``paused``); ``resume`` acts only on paused
instances (see :func:`resume_or_cancel_idle`); ``cancel`` is a scoped cancel that spares
non-cancellable work in flight; ``update_context`` merges ``payload.data`` key by key;
other custom signals are recorded. ``human_input:<block>`` signals stay pending for their
gate, and ``child_finished`` (a child instance's result, queued by the engine itself, never
accepted from users) for the node that waits for it (a ``sub_sequence``, a parallel
``for_each``); one nobody waits for any more (the node was closed meanwhile) is recorded
as ignored. Malformed payloads
are consumed and recorded, never retried forever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orch8_nb.engine.run import Run, encode_json
from orch8_nb.errors import Problem, SignalValidationError
from orch8_nb.model import MAX_CONTEXT_BYTES, SignalKind, can_transition
from orch8_nb.storage.base import Storage
from orch8_nb.storage.rows import SignalRow

HUMAN_INPUT_PREFIX = "custom:human_input:"
#: Signal type of a child instance's result (payload: child id, block id, state, outputs).
CHILD_FINISHED = "child_finished"
#: Instance-metadata key ``<prefix><block_id>`` naming a sub-sequence node's child.
CHILD_PREFIX = "_child:"
#: Instance-metadata key ``<prefix><block_id>``: a parallel for_each's running items
#: (``{index: child instance id}``).
LIVE_PREFIX = "_each_live:"
#: Why a ``child_finished`` signal is ignored.
NOT_AWAITED = "no block waits for this child any more"


@dataclass(slots=True)
class SignalEffect:
    pause: bool = False
    cancel: bool = False


def apply_signals(run: Run, signals: list[SignalRow]) -> SignalEffect:
    """Apply pending signals in arrival order; stop at the first pause or cancel."""
    effect = SignalEffect()
    for sig in signals:
        kind = sig.signal_type
        if kind.startswith(HUMAN_INPUT_PREFIX):
            continue
        if kind == CHILD_FINISHED:
            if not awaited(run, sig.payload):
                deliver(run, sig, ignored=NOT_AWAITED)
            continue
        if kind == "pause":
            if not can_transition(run.inst.state, "paused"):
                continue  # e.g. waiting: applies once the instance runs again
            deliver(run, sig)
            effect.pause = True
            break
        deliver(run, sig)
        if kind == "cancel":
            effect.cancel = True
            break
        if kind == "update_context":
            merge_context(run, sig)
    return effect


def deliver(run: Run, sig: SignalRow, *, ignored: str | None = None) -> None:
    run.pending.signals_delivered.append(sig.id)
    details: dict[str, Any] = {"signal_id": sig.id, "signal_type": sig.signal_type}
    if ignored is not None:
        details["reason"] = ignored
    run.audit("signal_ignored" if ignored is not None else "signal_delivered", details)
    if sig in run.signals:
        run.signals.remove(sig)


def merge_context(run: Run, sig: SignalRow) -> None:
    payload = sig.payload
    data = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(data, dict):
        merge_into_data(run, data, source=f"signal {sig.id}")
    elif data is not None:
        run.audit(
            "signal_ignored", {"signal_id": sig.id, "reason": "payload.data is not an object"}
        )


def merge_into_data(run: Run, values: dict[str, Any], *, source: str) -> bool:
    """Merge keys into ``context.data`` unless the result would pass the context size cap."""
    size = len(encode_json({**run.inst.context_data, **values}).encode())
    if size > MAX_CONTEXT_BYTES:
        reason = f"context.data would be {size} bytes (limit {MAX_CONTEXT_BYTES})"
        run.audit("context_merge_refused", {"source": source, "reason": reason})
        return False
    run.merge_data(values)
    return True


def awaited(run: Run, body: Any) -> bool:
    """True if a ``child_finished`` payload answers a node that still waits for that child
    (a sub-sequence, or a parallel for_each's item)."""
    if not isinstance(body, dict):
        return False
    block_id, child_id = body.get("block_id"), body.get("child_instance_id")
    node = run.tree.by_block.get(block_id) if isinstance(block_id, str) else None
    if node is None or node.state not in ("running", "waiting"):
        return False
    if node.block_type == "for_each":
        return child_id in run.inst.metadata.get(LIVE_PREFIX + node.block_id, {}).values()
    return (
        node.state == "waiting" and run.inst.metadata.get(CHILD_PREFIX + node.block_id) == child_id
    )


async def new_signals(storage: Storage, run: Run) -> list[SignalRow]:
    """Undelivered signals in the inbox that ``run`` has not seen yet, oldest first."""
    rows = await storage.get_signals(run.inst.id, pending_only=True)
    known = {s.id for s in run.signals} | set(run.pending.signals_delivered)
    return [row for row in rows if row.id not in known]


def consume(run: Run) -> list[SignalRow]:
    """Signals this run should look at now (oldest first)."""
    return [s for s in run.signals if not s.delivered]


def check_signal(signal_type: Any, payload: Any) -> tuple[SignalKind, Any]:
    """Validate a signal before it is queued; raises ``SignalValidationError`` with paths."""
    try:
        kind = SignalKind.parse(signal_type)
    except SignalValidationError:
        raise
    except (TypeError, ValueError) as exc:
        raise SignalValidationError([Problem("signal_type", str(exc))]) from exc
    body = {} if payload is None else payload
    if kind.to_db() == "update_context":
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, Mapping):
            raise SignalValidationError(
                [Problem("payload.data", "update_context needs an object at payload.data")]
            )
    try:
        encode_json(body)
    except (TypeError, ValueError) as exc:
        raise SignalValidationError([Problem("payload", f"is not JSON: {exc}")]) from exc
    return kind, body
