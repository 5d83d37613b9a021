"""A handle on one instance for notebook cells: state, wait, outputs, signals, reprs.

Every property reads committed data, so a handle never shows a state that could be lost
in a crash. ``await inst`` works with top-level await; ``inst.wait()`` blocks the cell but
not the engine.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Generator, Iterable, Mapping
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

    def children(self) -> list[Instance]:
        """Child instances (``sub_sequence`` runs, parallel ``for_each`` items), oldest first."""
        return self._engine._live()._children(self.id)

    @property
    def parent(self) -> Instance | None:
        """The instance that started this one as its child, if any."""
        parent_id = self._engine._live()._row(self.id).parent_instance_id
        return None if parent_id is None else Instance(self._engine, parent_id)

    def tree(self) -> list[ExecutionNode]:
        return self._engine._live().tree(self.id)

    def audit(self) -> list[AuditEntry]:
        return self._engine._live().audit(self.id)

    @property
    def kv(self) -> dict[str, Any]:
        """The instance's key-value state (``set_state``, ``ctx.state``, ``state.<key>``)."""
        engine = self._engine._live()
        return dict(engine._thread.call(engine.aio.storage.get_kv(self.id)))

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
        from orch8_nb.engine.blocks.handler_approval import as_gate
        from orch8_nb.model.execution import APPROVAL_REQUEST

        engine = self._engine._live()
        seq = engine.get_sequence(engine._row(self.id).sequence_id)
        spec = next(
            (getattr(ref.block, "wait_for_input", None) for ref in seq.iter_blocks()
             if ref.block.id == block_id),
            None,
        )  # fmt: skip
        request = engine._row(self.id).metadata.get(APPROVAL_REQUEST + block_id)
        if isinstance(request, dict):  # the step's handler asked (an agent before a tool)
            spec = as_gate(request)
        if spec is None:
            raise KeyError(f"step {block_id!r} has no human-input gate")
        payload = check_answer(spec, block_id, value, comment)
        return self.signal({"custom": f"human_input:{block_id}"}, payload)

    def inject_blocks(self, blocks: list[Any], position: int | None = None) -> str:
        """Add top-level blocks to this instance (appended, or at ``position``); applied
        between steps. Checked now: a bad block raises with its path. Returns the signal id."""
        engine = self._engine._live()
        body = [b.model_dump(mode="json", exclude_none=True) if hasattr(b, "model_dump") else b
                for b in blocks]  # fmt: skip
        return engine._thread.call(engine.aio.records.inject_blocks(self.id, body, position))

    def set_budget(self, budget: Mapping[str, Any] | None) -> Instance:
        """Replace the budget (``max_steps``, ``max_total_tokens``, ``max_cost_microunits``,
        ...; ``None`` removes it), e.g. to raise a limit that paused it; then resume it."""
        engine = self._engine._live()
        engine._thread.call(engine.aio.records.set_budget(self.id, budget))
        return self

    # -- checkpoints -----------------------------------------------------------------------------

    def save_checkpoint(self, data: Any) -> dict[str, Any]:
        """Keep a snapshot (any JSON) with the instance; returns it with its id and time."""
        engine = self._engine._live()
        row = engine._thread.call(engine.aio.records.save_checkpoint(self.id, data))
        return _checkpoint(row)

    def checkpoints(self) -> list[dict[str, Any]]:
        """Saved checkpoints, oldest first."""
        engine = self._engine._live()
        return [
            _checkpoint(r) for r in engine._thread.call(engine.aio.records.checkpoints(self.id))
        ]

    def latest_checkpoint(self) -> dict[str, Any] | None:
        found = self.checkpoints()
        return found[-1] if found else None

    def prune_checkpoints(self, keep: int) -> int:
        """Delete all but the newest ``keep`` checkpoints; returns how many were deleted."""
        engine = self._engine._live()
        return engine._thread.call(engine.aio.records.prune_checkpoints(self.id, keep))

    # -- running again ---------------------------------------------------------------------------

    def retry(self) -> Instance:
        """Run a failed instance again from the top-level block that failed; the blocks
        before it keep their outputs and do not run again."""
        engine = self._engine._live()
        engine._thread.call(engine.aio.rerun.retry(self.id))
        return self

    def resume_from(self, block_id: str, data: Mapping[str, Any] | None = None) -> Instance:
        """Run a finished or paused instance again from top-level block ``block_id`` (its
        outputs and those of later blocks are wiped), after merging ``data`` into
        ``context.data``."""
        engine = self._engine._live()
        engine._thread.call(engine.aio.rerun.resume_from(self.id, block_id, data))
        return self

    def fork(self, from_block_id: str, data: Mapping[str, Any] | None = None) -> Instance:
        """A new instance that starts at top-level block ``from_block_id``, with the earlier
        blocks' outputs, node states and ``state`` copied (they do not run again)."""
        engine = self._engine._live()
        return Instance(
            engine, engine._thread.call(engine.aio.rerun.fork(self.id, from_block_id, data))
        )

    def deny(self, block_id: str, *, comment: str | None = None) -> str:
        """Answer a yes/no gate with ``"no"``."""
        return self.approve(block_id, "no", comment=comment)

    def update_context(self, data: Mapping[str, Any]) -> str:
        """Merge ``data`` into ``context.data`` key by key (the ``update_context`` signal)."""
        return self.signal("update_context", {"data": dict(data)})

    def replace_context(self, context: Mapping[str, Any]) -> Instance:
        """Replace the whole context now (audited): ``data``, ``config`` and ``audit`` as
        given, a missing one empty; ``runtime`` stays the engine's. Refused while a step
        runs, and over the context size cap (``PayloadTooLargeError``)."""
        engine = self._engine._live()
        engine._thread.call(engine.aio.edits.replace_context(self.id, context))
        return self

    # -- display ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        try:
            return self._engine._live()._render_instance_text(self.id)
        except Exception as exc:  # a repr must never raise
            return f"<Instance {self.id} ({type(exc).__name__}: {exc})>"

    def _repr_html_(self) -> str:
        return self._engine._live()._render_instance_html(self.id)

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **_: Any
    ) -> dict[str, Any]:
        """Text, static HTML and the InstanceView (all without ids or times, for saved
        notebooks); in a kernel also the live ``ExecutionTree`` (see ``_live_display``)."""
        from orch8_nb.render.views import instance_bundle, read_instance, select_mimes

        try:
            bundle = instance_bundle(read_instance(self._engine._live(), self.id))
        except Exception:  # a repr must never raise
            return {"text/plain": repr(self)}
        if _live_display():
            from orch8_nb.widgets.tree import live_view_bundle

            bundle.update(live_view_bundle(self))
        return select_mimes(bundle, include, exclude)

    def watch(self, timeout: float | None = None) -> None:
        """Display the instance (the live tree in JupyterLab), wait for it as ``wait`` does,
        then update that output to the final picture, so a notebook run headless (nbclient,
        nbval) saves the finished tree rather than its first moment. Returns nothing, so a
        cell ending in ``inst.watch()`` shows the instance once."""
        from IPython.display import display

        handle = display(self, display_id=True)  # type: ignore[no-untyped-call]
        try:
            self.wait(timeout)
        finally:
            if handle is not None:
                handle.update(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Instance) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


#: Set to ``0`` (or ``false``, ``no``, ``off``) to show instances statically in kernels too.
LIVE_DISPLAY_ENV = "ORCH8_NB_LIVE_DISPLAY"


def _live_display() -> bool:
    """Whether displaying an instance should add the live tree: inside an IPython kernel
    (widgets need its comms), unless ``ORCH8_NB_LIVE_DISPLAY`` turns it off."""
    if os.environ.get(LIVE_DISPLAY_ENV, "1").strip().lower() in {"0", "false", "no", "off"}:
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def _checkpoint(row: Any) -> dict[str, Any]:
    return {"id": row.id, "instance_id": row.instance_id,
            "checkpoint_data": row.checkpoint_data, "created_at": row.created_at}  # fmt: skip
