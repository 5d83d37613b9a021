"""External workers: the engine side of poll / complete / fail.

A step whose handler is not registered becomes a ``worker_tasks`` row and the instance
waits. A worker claims it (``claim_epoch`` + 1), then completes or fails it; both are
compare-and-swaps on the task (state and epoch) and on the instance revision, in one
transaction with the output row, the node state and the instance transition.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.dispatch import Outcome, apply_outcome
from orch8_nb.engine.evaluator import Ready
from orch8_nb.engine.handlers import HandlerRegistry
from orch8_nb.engine.run import Run, StepError
from orch8_nb.engine.services import Services
from orch8_nb.engine.signals import merge_into_data
from orch8_nb.errors import ConflictError, InvalidTransitionError, NotFoundError
from orch8_nb.storage.rows import TaskUpdate, WorkerTaskRow


async def _load_claimed(
    s: Services, task_id: str, worker_id: str, claim_epoch: int | None
) -> WorkerTaskRow:
    task = await s.storage.get_worker_task(task_id)
    if task is None:
        raise NotFoundError(f"worker task {task_id} not found")
    if task.state != "claimed":
        raise InvalidTransitionError(f"worker task {task_id} is {task.state}, not claimed")
    if task.worker_id != worker_id or (claim_epoch is not None and claim_epoch != task.claim_epoch):
        raise ConflictError(
            f"worker task {task_id}: stale lease (held by {task.worker_id!r} "
            f"at epoch {task.claim_epoch})"
        )
    return task


async def finish_task(
    s: Services,
    load_run: Any,
    task_id: str,
    worker_id: str,
    *,
    output: Any = None,
    error: StepError | None = None,
    claim_epoch: int | None = None,
) -> None:
    """Record a worker's result; ``error`` None means success with ``output``."""
    task = await _load_claimed(s, task_id, worker_id, claim_epoch)
    run: Run | None = await load_run(task.instance_id)
    done_values: dict[str, Any] = {"completed_at": s.clock.now_ms()}
    if error is None:
        done_values.update(state="completed", output=output)
    else:
        done_values.update(
            state="failed", error_message=error.message, error_retryable=error.retryable
        )
    update = TaskUpdate(task.id, "claimed", task.claim_epoch, done_values)
    if run is None:
        raise NotFoundError(f"instance {task.instance_id} of task {task_id} not found")
    node = run.tree.by_block.get(task.block_id)
    if run.inst.state != "waiting" or node is None or node.state != "waiting":
        # Accepted but moot: the instance was cancelled or moved on without this result.
        run.pending.tasks_update.append(update)
        run.audit("worker_result_ignored", {"task_id": task.id}, block_id=task.block_id)
        await _commit(s, run)
        return
    block = run.seq.block(task.block_id)
    ready = Ready(node, block, task.attempt)
    if error is None:
        outcome = Outcome(True, output, started_at=task.claimed_at or task.created_at)
    else:
        outcome = Outcome(False, error=error, started_at=task.claimed_at or task.created_at)
    run.set_node(node, "running")  # the result arrives: the step is active again
    apply_outcome(run, ready, outcome, None)
    if node.state == "completed" and isinstance(output, dict):
        merge_into_data(run, output, source=f"worker task {task.id}")  # as Orch8 does
    run.pending.tasks_update.append(update)
    run.transition("scheduled", reason="worker_result", task_id=task.id)
    run.schedule(run.now())
    await _commit(s, run)
    s.on_reschedule(run.now())


async def _commit(s: Services, run: Run) -> None:
    result = await s.storage.commit(run.take_changeset())
    if not result.ok:
        raise ConflictError(f"instance {run.inst.id} changed concurrently; retry the call")


async def reroute_to_handler(s: Services, load_run: Any, handler_name: str) -> int:
    """Bring pending worker tasks of a now-registered handler back in-process.

    A step becomes a worker task when its handler is unknown; in a notebook that is often
    just "not registered yet" (a kernel restart resumes instances before the handler cells
    run). Once the name is registered, a registered handler takes precedence, as at
    dispatch: the task is withdrawn and the step runs in this engine. Returns the count.
    """
    moved = 0
    tasks = await s.storage.list_worker_tasks(
        state="pending", handler_name=handler_name, limit=1000
    )
    for task in tasks:
        run: Run | None = await load_run(task.instance_id)
        if run is None or run.inst.state not in ("waiting", "scheduled"):
            continue  # a running instance is handed back by its runner (on_waiting)
        node = run.tree.by_block.get(task.block_id)
        if node is None or node.state != "waiting":
            continue
        run.pending.tasks_withdraw.append(task.id)
        run.set_node(node, "running")
        run.audit("worker_task_withdrawn", {"task_id": task.id, "handler": handler_name},
                  block_id=task.block_id)  # fmt: skip
        if run.inst.state == "waiting":
            run.transition("scheduled", reason="handler registered")
        run.schedule(run.now())
        result = await s.storage.commit(run.take_changeset())
        if result.ok:
            moved += 1
    if moved:
        s.on_reschedule(s.clock.now_ms())
    return moved


class WorkerGateway:
    """The worker-task protocol over one engine: what REST workers and Python code call."""

    def __init__(self, services: Services, load_run: Any, tenant_id: str) -> None:
        self.s = services
        self.load_run = load_run
        self.tenant_id = tenant_id

    async def poll(
        self, handler_name: str, worker_id: str, limit: int = 1, *, queue_name: str | None = None
    ) -> list[WorkerTaskRow]:
        """Claim up to ``limit`` pending tasks of ``handler_name`` for ``worker_id``."""
        if not 1 <= limit <= 1000:
            raise ValueError("limit must be between 1 and 1000")
        now = self.s.clock.now_ms()
        return await self.s.storage.claim_worker_tasks(
            handler_name, worker_id, limit, now, queue_name, self.tenant_id
        )

    async def complete(
        self, task_id: str, worker_id: str, output: Any = None, *, claim_epoch: int | None = None
    ) -> None:
        await finish_task(
            self.s, self.load_run, task_id, worker_id, output=output, claim_epoch=claim_epoch
        )

    async def fail(
        self,
        task_id: str,
        worker_id: str,
        message: str,
        *,
        retryable: bool = False,
        details: Any = None,
        claim_epoch: int | None = None,
    ) -> None:
        error = StepError(message, retryable, details, kind="worker")
        await finish_task(
            self.s, self.load_run, task_id, worker_id, error=error, claim_epoch=claim_epoch
        )


def locally_handled_waits(run: Run, registry: HandlerRegistry) -> set[str]:
    """Handlers, registered in this engine, of steps that wait on external workers."""
    names: set[str] = set()
    for node in run.tree.nodes.values():
        if node.state == "waiting" and node.block_type == "step":
            block = run.seq.block(node.block_id)
            if block.wait_for_input is None and registry.get(block.handler) is not None:
                names.add(block.handler)
    return names
