"""Engine methods for external workers: claim, complete, fail and heartbeat worker tasks,
list them, reap stale claims (a mixin of :class:`~orch8_nb.engine.Engine`; the REST worker
routes call these)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orch8_nb.engine.convert import task_model
from orch8_nb.model import WorkerTask

if TYPE_CHECKING:
    from orch8_nb.engine.core import AsyncEngine
    from orch8_nb.engine.loopthread import LoopThread


class WorkerCalls:
    _core: AsyncEngine
    _thread: LoopThread

    def poll_tasks(
        self, handler_name: str, worker_id: str, limit: int = 1, *, queue_name: str | None = None
    ) -> list[WorkerTask]:
        rows = self._thread.call(
            self._core.workers.poll(handler_name, worker_id, limit, queue_name=queue_name)
        )
        return [task_model(r) for r in rows]

    def complete_task(
        self, task_id: str, worker_id: str, output: Any = None, *, claim_epoch: int | None = None
    ) -> None:
        self._thread.call(
            self._core.workers.complete(task_id, worker_id, output, claim_epoch=claim_epoch)
        )

    def heartbeat_task(
        self, task_id: str, worker_id: str, *, claim_epoch: int | None = None
    ) -> WorkerTask:
        """Keep a worker's claim alive (``ConflictError`` when the lease is not its)."""
        return task_model(
            self._thread.call(self._core.workers.heartbeat(task_id, worker_id, claim_epoch))
        )

    def worker_tasks(
        self,
        state: str | None = None,
        *,
        handler_name: str | None = None,
        instance_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[WorkerTask]:
        """Worker tasks, oldest first, filtered by state, handler or instance."""
        rows = self._thread.call(self._core.storage.list_worker_tasks(
            state, handler_name, instance_id, limit, offset))  # fmt: skip
        return [task_model(r) for r in rows]

    def reap_worker_tasks(self) -> tuple[int, int]:
        """Return silent workers' tasks to ``pending`` and fail tasks past ``timeout_ms``
        (the engine does this every few seconds; call it after moving a virtual clock)."""
        return self._thread.call(self._core.workers.reap())

    def fail_task(
        self,
        task_id: str,
        worker_id: str,
        message: str,
        *,
        retryable: bool = False,
        details: Any = None,
        claim_epoch: int | None = None,
    ) -> None:
        self._thread.call(
            self._core.workers.fail(
                task_id,
                worker_id,
                message,
                retryable=retryable,
                details=details,
                claim_epoch=claim_epoch,
            )
        )
