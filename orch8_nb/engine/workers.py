"""External workers: the engine side of poll / complete / fail.

A step whose handler is not registered becomes a ``worker_tasks`` row and the instance
waits. A worker claims it (``claim_epoch`` + 1), then completes or fails it: a
compare-and-swap on the task (state and epoch). When nobody runs the instance, the result
is applied at once, in one transaction with the output row, the node state and the
instance transition. When a runner holds the instance (another branch is busy), the
result is kept with the task and an internal ``worker_result`` signal tells the runner,
which applies it between steps; nothing is lost and the runner's work is not disturbed.
"""

from __future__ import annotations

import contextlib
from typing import Any

from orch8_nb.engine.breakers import record_call
from orch8_nb.engine.budgets import count
from orch8_nb.engine.dispatch import Outcome, apply_outcome, worker_task
from orch8_nb.engine.evaluator import Ready
from orch8_nb.engine.events import publish_changeset
from orch8_nb.engine.handlers import HandlerRegistry
from orch8_nb.engine.run import Run, StepError
from orch8_nb.engine.services import Services
from orch8_nb.engine.signals import deliver, merge_into_data
from orch8_nb.errors import ConflictError, InvalidTransitionError, NotFoundError
from orch8_nb.storage.rows import SignalRow, TaskUpdate, WorkerTaskRow

#: Internal signal: a worker's result is kept with its task, for the instance to apply.
WORKER_RESULT = "worker_result"


async def _load_claimed(
    s: Services, task_id: str, worker_id: str, claim_epoch: int | None
) -> WorkerTaskRow:
    task = await s.storage.get_worker_task(task_id)
    if task is None:
        raise NotFoundError(f"worker task {task_id} not found")
    if task.state == "pending":  # reclaimed from a silent worker: this lease is over
        raise ConflictError(
            f"worker task {task_id}: stale lease (no heartbeat for too long; the task went "
            "back to pending)"
        )
    if task.state != "claimed":
        raise InvalidTransitionError(f"worker task {task_id} is {task.state}, not claimed")
    if task.worker_id != worker_id or (claim_epoch is not None and claim_epoch != task.claim_epoch):
        raise ConflictError(
            f"worker task {task_id}: stale lease (held by {task.worker_id!r} "
            f"at epoch {task.claim_epoch})"
        )
    return task


#: A claimed task with no heartbeat for this long returns to ``pending`` (Orch8: 60 s).
STALE_MS = 60_000


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
    if run.inst.state == "waiting" and node is not None and node.state == "waiting":
        # Nobody runs the instance: apply the result and wake it, in one commit.
        apply_task_result(s, run, task, output, error)
        run.pending.tasks_update.append(update)
        run.transition("scheduled", reason="worker_result", task_id=task.id)
        run.schedule(run.now())
        cs = run.take_changeset()
        if (await s.storage.commit(cs)).ok:
            publish_changeset(s.bus, run.inst.id, cs)  # live trees and event streams
            s.on_reschedule(run.now())
            return
    # A runner holds the instance (or it sleeps, is paused, or moved on): keep the result
    # with the task and tell whoever runs the instance next; it applies the result then.
    signal = SignalRow(s.clock.uuid(), task.instance_id, WORKER_RESULT, {"task_id": task.id},
                       s.clock.now_ms())  # fmt: skip
    if not await s.storage.store_task_result(update, signal):
        raise ConflictError(f"worker task {task_id} changed concurrently; retry the call")
    s.on_signal(task.instance_id, WORKER_RESULT)


def apply_task_result(
    s: Services, run: Run, task: WorkerTaskRow, output: Any, error: StepError | None
) -> None:
    """Fold a worker's result into the run, as a handler's result would be."""
    node = run.tree.by_block[task.block_id]
    block = run.seq.block(task.block_id)
    ready = Ready(node, block, task.attempt, task.params)
    started = task.claimed_at or task.created_at
    outcome = (
        Outcome(True, output, started_at=started)
        if error is None
        else Outcome(False, error=error, started_at=started)
    )
    run.set_node(node, "running")  # the result arrives: the step is active again
    record_call(s.breakers, run, ready, outcome.ok, None if error is None else error.kind)
    count(run, block.handler, output)
    apply_outcome(run, ready, outcome, None)
    if node.state == "completed" and isinstance(output, dict):
        merge_into_data(run, output, source=f"worker task {task.id}")  # as Orch8 does


async def take_stored_results(s: Services, run: Run) -> None:
    """Apply worker results kept with their tasks (see :func:`finish_task`) to nodes that
    still wait for them, and mark their ``worker_result`` signals delivered."""
    pending = [sig for sig in run.signals if sig.signal_type == WORKER_RESULT]
    if not pending:
        return
    waiting = {n.block_id for n in run.tree.nodes.values() if n.state == "waiting"}
    for state in ("completed", "failed"):
        for task in await s.storage.list_worker_tasks(state, instance_id=run.inst.id, limit=10_000):
            node = run.tree.by_block.get(task.block_id)
            if task.block_id not in waiting or node is None or node.state != "waiting":
                continue
            error = None if state == "completed" else StepError(
                task.error_message or "worker failed", bool(task.error_retryable), kind="worker"
            )  # fmt: skip
            apply_task_result(s, run, task, task.output, error)
    for sig in pending:
        deliver(run, sig)


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

    async def heartbeat(
        self, task_id: str, worker_id: str, claim_epoch: int | None = None
    ) -> WorkerTaskRow:
        """Keep a claim alive; ``ConflictError`` when the lease is not the worker's."""
        row = await self.s.storage.heartbeat_worker_task(
            task_id, worker_id, claim_epoch, self.s.clock.now_ms()
        )
        if row is None:
            if await self.s.storage.get_worker_task(task_id) is None:
                raise NotFoundError(f"worker task {task_id} not found")
            raise ConflictError(f"worker task {task_id}: the lease is not {worker_id}'s")
        return row

    async def reap(self, stale_ms: int = STALE_MS) -> tuple[int, int]:
        """Claims with no heartbeat for ``stale_ms`` go back to ``pending``; claims past
        their ``timeout_ms`` fail (retryable, kind ``timeout``). Returns both counts."""
        now = self.s.clock.now_ms()
        stale, expired = await self.s.storage.reap_worker_tasks(now, now - stale_ms)
        for task in expired:
            error = StepError(f"worker task timed out after {task.timeout_ms} ms", True,
                              kind="timeout")  # fmt: skip
            with contextlib.suppress(ConflictError, NotFoundError):  # finished meanwhile
                await finish_task(self.s, self.load_run, task.id, str(task.worker_id),
                                  error=error, claim_epoch=task.claim_epoch)  # fmt: skip
        if stale:
            self.s.on_reschedule(now)
        return len(stale), len(expired)

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


def dispatch_to_worker(run: Run, ready: Ready, params: Any) -> None:
    """No handler here: the step becomes a worker task and its node waits."""
    block = ready.block
    run.pending.tasks_insert.append(worker_task(run, ready, params))
    run.set_node(ready.node, "waiting")
    run.audit(
        "worker_task_created",
        {"handler": block.handler, "attempt": ready.attempt, "queue": block.queue_name},
        block_id=block.id,
    )
