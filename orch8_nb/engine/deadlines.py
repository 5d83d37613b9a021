"""Step deadlines and sequence SLAs.

A step's ``deadline`` is a hard limit from the moment the step started (its first
attempt, delays and backoff included). When it passes, the step fails for good: its
output records ``{_error: "sla_deadline_breached", _deadline_ms, _elapsed_ms}`` (as in
Orch8), a worker task still out is withdrawn, and the ``on_deadline_breach`` handler,
if any, is called with the step's id and times (its output is kept as the row
``_deadline:<step>``). A handler call cut off by the deadline ends the same way.

A sequence's ``sla`` (``max_runtime``, ``max_step_runtime``) only alerts: the first
breach of each kind writes an ``sla_breached`` audit row and event; the run goes on.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.dispatch import Outcome, apply_outcome
from orch8_nb.engine.evaluator import Ready
from orch8_nb.engine.run import Run, StepError, fail_node
from orch8_nb.storage.rows import NodeRow

SLA_PREFIX = "_sla_breached:"


def deadline_of(node: NodeRow, block: Any) -> int | None:
    """When the step's deadline passes (epoch ms), if it has one and has started."""
    if getattr(block, "deadline", None) is None or node.started_at is None:
        return None
    return node.started_at + int(block.deadline)


def breach(run: Run, node: NodeRow, block: Any) -> None:
    """Fail the step for its deadline; queue its escalation handler."""
    elapsed = run.now() - (node.started_at or run.now())
    record = {"_error": "sla_deadline_breached", "_deadline_ms": int(block.deadline),
              "_elapsed_ms": elapsed}  # fmt: skip
    run.add_output(block.id, record, attempt=0)
    if node.state == "waiting":
        run.pending.tasks_drop_blocks.append(block.id)  # a task still out with a worker
    error = StepError(
        f"deadline of {int(block.deadline) / 1000:g} s passed", False, details=record,
        kind="deadline",
    )  # fmt: skip
    run.audit("deadline_breached", record, block_id=block.id)
    fail_node(run, node, error)
    if block.on_deadline_breach is not None:
        escalations = list(run.inst.metadata.get("_escalate", []))
        run.set_metadata("_escalate", [*escalations, {"block_id": block.id, **record}])


def apply_or_breach(run: Run, ready: Ready, outcome: Outcome, cache: str | None) -> None:
    """Fold a handler's result in, unless it failed because the deadline cut it off."""
    due = deadline_of(ready.node, ready.block)
    if not outcome.ok and due is not None and run.now() >= due:
        breach(run, ready.node, ready.block)
    else:
        apply_outcome(run, ready, outcome, cache)


def check_sla(run: Run, node: NodeRow | None = None) -> int | None:
    """Alert on SLA breaches not alerted yet; returns when the next one would happen."""
    sla = run.seq.definition.sla
    if sla is None:
        return None
    now, next_at = run.now(), None
    started = run.inst.context_runtime.get("started_at")
    checks: list[tuple[str, Any, int | None, str | None]] = [
        ("max_runtime", sla.max_runtime, started if isinstance(started, int) else None, None)
    ]
    if node is not None:
        checks.append(("max_step_runtime", sla.max_step_runtime, node.started_at, node.block_id))
    for kind, limit, since, step in checks:
        if limit is None or since is None or f"{SLA_PREFIX}{kind}" in run.inst.metadata:
            continue
        due = since + int(limit)
        if now < due:
            next_at = due if next_at is None else min(next_at, due)
            continue
        details = {"type": kind, "limit_ms": int(limit), "elapsed_ms": now - since,
                   "step_id": step, "sequence_id": run.seq.id}  # fmt: skip
        run.set_metadata(f"{SLA_PREFIX}{kind}", now)
        run.audit("sla_breached", details, block_id=step)
    return next_at
