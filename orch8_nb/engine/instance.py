"""A handle on one instance for notebook cells: state, wait, outputs, signals, reprs.

Every property reads committed data, so a handle never shows a state that could be lost
in a crash. ``await inst`` works with top-level await; ``inst.wait()`` blocks the cell but
not the engine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Mapping
from concurrent.futures import CancelledError
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from orch8_nb.engine.clock import perf_counter, real_sleep
from orch8_nb.model import AuditEntry, BlockOutput, ExecutionNode, TaskInstance

if TYPE_CHECKING:
    from orch8_nb.engine.facade import Engine

TERMINAL = frozenset({"completed", "failed", "cancelled"})


class Instance:
    """One run of a sequence. Create with ``engine.create_instance(...)``."""

    __slots__ = ("_engine", "deduplicated", "id")

    def __init__(self, engine: Engine, instance_id: str, *, deduplicated: bool = False) -> None:
        self._engine = engine
        self.id = instance_id
        #: True when ``create_instance`` matched an earlier instance's idempotency key.
        self.deduplicated = deduplicated

    # -- reading ---------------------------------------------------------------------------------

    def snapshot(self) -> TaskInstance:
        """The instance as stored now (the REST ``TaskInstance`` shape)."""
        return self._engine._live()._instance_model(self.id)

    @property
    def state(self) -> str:
        return str(self._engine._live()._row(self.id).state)

    @property
    def done(self) -> bool:
        return self.state in TERMINAL

    @property
    def context(self) -> dict[str, Any]:
        return self.snapshot().context.model_dump(mode="json")

    @property
    def data(self) -> dict[str, Any]:
        return dict(self._engine._live()._row(self.id).context_data)

    @property
    def error(self) -> dict[str, Any] | None:
        """What failed the instance (block id, message, details), if it failed."""
        err = self._engine._live()._row(self.id).metadata.get("_error")
        return err if isinstance(err, dict) else None

    @property
    def outputs(self) -> dict[str, Any]:
        """Latest real output per block id: what ``{{ outputs.<id> }}`` would see."""
        latest: dict[str, Any] = {}
        for row in self.output_rows():
            if row.output_ref is None:
                latest[row.block_id] = row.output
        return latest

    def output(self, block_id: str) -> Any:
        outputs = self.outputs
        if block_id not in outputs:
            raise KeyError(f"block {block_id!r} has no output (yet)")
        return outputs[block_id]

    def output_rows(self) -> list[BlockOutput]:
        """Every output row, retries and iterations included, oldest first."""
        return self._engine._live().outputs(self.id)

    def tree(self) -> list[ExecutionNode]:
        return self._engine._live().tree(self.id)

    def audit(self) -> list[AuditEntry]:
        return self._engine._live().audit(self.id)

    # -- waiting ---------------------------------------------------------------------------------

    def wait(self, timeout: float | None = None) -> Instance:
        """Block until the instance is completed, failed or cancelled; returns ``self``.

        Raises ``TimeoutError`` after ``timeout`` seconds. Other engines finishing the
        instance are noticed by polling the database every 0.2 s.
        """
        deadline = None if timeout is None else perf_counter() + timeout
        engine = self._engine._live()
        fut = engine._terminal_future(self.id)
        try:
            while True:
                state = self.state
                if state in TERMINAL:
                    return self
                left = None if deadline is None else deadline - perf_counter()
                if left is not None and left <= 0:
                    raise TimeoutError(f"instance {self.id} still {state} after {timeout} s")
                try:
                    fut.result(timeout=0.2 if left is None else min(left, 0.2))
                except FutureTimeout:
                    continue
                except CancelledError:  # its engine shut down: look again, maybe elsewhere
                    real_sleep(0.01)
                    engine._forget_waiter(self.id, fut)
                    engine = self._engine._live()
                    fut = engine._terminal_future(self.id)
        finally:
            engine._forget_waiter(self.id, fut)

    def __await__(self) -> Generator[Any, None, Instance]:
        return asyncio.get_running_loop().run_in_executor(None, self.wait).__await__()

    # -- acting ----------------------------------------------------------------------------------

    def signal(self, signal_type: Any, payload: Any = None) -> str:
        return self._engine._live().send_signal(self.id, signal_type, payload)

    def pause(self) -> str:
        return self.signal("pause")

    def resume(self) -> str:
        return self.signal("resume")

    def cancel(self) -> str:
        return self.signal("cancel")

    def approve(self, block_id: str, value: Any = "yes", *, comment: str | None = None) -> str:
        """Answer the human-input gate of step ``block_id`` (a value from its choices)."""
        from orch8_nb.engine.blocks.approvals import check_answer

        engine = self._engine._live()
        seq = engine.get_sequence(engine._row(self.id).sequence_id)
        spec = next(
            (getattr(ref.block, "wait_for_input", None) for ref in seq.iter_blocks()
             if ref.block.id == block_id),
            None,
        )  # fmt: skip
        if spec is None:
            raise KeyError(f"step {block_id!r} has no human-input gate")
        payload = check_answer(spec, block_id, value, comment)
        return self.signal({"custom": f"human_input:{block_id}"}, payload)

    def deny(self, block_id: str, *, comment: str | None = None) -> str:
        """Answer a yes/no gate with ``"no"``."""
        return self.approve(block_id, "no", comment=comment)

    def update_context(self, data: Mapping[str, Any]) -> str:
        """Merge ``data`` into ``context.data`` key by key (the ``update_context`` signal)."""
        return self.signal("update_context", {"data": dict(data)})

    # -- display ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        try:
            return self._engine._live()._render_instance_text(self.id)
        except Exception as exc:  # a repr must never raise
            return f"<Instance {self.id} ({type(exc).__name__}: {exc})>"

    def _repr_html_(self) -> str:
        return self._engine._live()._render_instance_html(self.id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Instance) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)
