"""Running an instance again: ``retry`` a failed one, ``resume_from`` a top-level block, or
``fork`` a new instance from one.

All three work at the granularity of top-level blocks. Blocks before the chosen one keep
their outputs and node states and never run again (so an LLM call before it is not paid
for twice); the chosen block and every block after it start afresh: their node states go
back to ``pending``, their outputs and per-run markers are wiped (as Orch8 does), and a new
``run_id`` is stamped. Each operation is one commit with its audit rows.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from orch8_nb.engine.admission import check_context, raise_if
from orch8_nb.engine.blocks._lanes import MARKER_PREFIXES, descendants
from orch8_nb.engine.cancelling import CANCEL_MARKER
from orch8_nb.engine.children import ENTRY_KEY, cancel_child, notify_others
from orch8_nb.engine.events import publish_changeset
from orch8_nb.engine.injection import INJECTED_KEY
from orch8_nb.engine.run import Run
from orch8_nb.engine.services import Services
from orch8_nb.engine.signals import merge_into_data
from orch8_nb.engine.tree import DONE_OK, rebuild_nodes
from orch8_nb.errors import ConflictError, InvalidTransitionError, NotFoundError, Problem
from orch8_nb.storage.rows import AuditRow, Changeset, InstanceRow, NodeRow, OutputPrune

LoadRun = Callable[[str], Coroutine[Any, Any, Run | None]]

#: States an instance may be resumed from (a running one must be paused first).
RESUMABLE = ("failed", "completed", "cancelled", "paused")


class Rerun:
    """``retry``, ``resume_from`` and ``fork`` over one engine's storage."""

    def __init__(self, services: Services, load_run: LoadRun) -> None:
        self.s = services
        self._load_run = load_run

    async def retry(self, instance_id: str) -> None:
        """Run a failed instance again from its failed top-level block."""
        run = await self._run(instance_id)
        if run.inst.state != "failed":
            raise InvalidTransitionError(
                f"instance {instance_id} is {run.inst.state}; only a failed instance can be "
                "retried (resume_from works from any block of a finished or paused one)"
            )
        roots = run.tree.roots
        index = next((i for i, n in enumerate(roots) if n.state not in DONE_OK), len(roots))
        await self._rewind(run, index, "retry", None)

    async def resume_from(
        self, instance_id: str, block_id: str, data: Mapping[str, Any] | None = None
    ) -> None:
        """Run the instance again from top-level block ``block_id``, after merging ``data``
        into ``context.data``."""
        run = await self._run(instance_id)
        if run.inst.state not in RESUMABLE:
            raise InvalidTransitionError(
                f"instance {instance_id} is {run.inst.state}; resume_from needs a failed, "
                "completed, cancelled or paused instance (pause it first)"
            )
        await self._rewind(run, _root_index(run, block_id), "resume_from", data)

    async def fork(
        self, instance_id: str, from_block_id: str, data: Mapping[str, Any] | None = None
    ) -> str:
        """A new instance of the same version that starts at ``from_block_id``: the blocks
        before it are copied (node states, outputs, ``state``), not run. Returns its id."""
        run = await self._run(instance_id)
        index = _root_index(run, from_block_id)
        earlier = run.tree.roots[:index]
        for root in earlier:
            if root.state not in DONE_OK:
                raise InvalidTransitionError(
                    f"cannot fork from {from_block_id!r}: block {root.block_id!r} before it "
                    f"is {root.state} in instance {instance_id}, not completed"
                )
        row = _fork_row(run, self.s.clock.uuid(), from_block_id, data)
        cs = Changeset(row.id, 0, self.s.clock.now_ms(), create=row, kv_set=dict(run.kv))
        copied = _copy_nodes(run, row.id, earlier, cs)
        for out in await self.s.storage.get_outputs(instance_id):
            if out.output_ref is None and out.block_id in copied:
                out.id, out.instance_id, out.encoded = self.s.clock.uuid(), row.id, None
                cs.outputs.append(out)
        fork_of = {"source_instance_id": instance_id, "from_block_id": from_block_id}
        _audit(self.s, cs, row, "state_transition", {"reason": "forked", **fork_of},
               to_state="scheduled")  # fmt: skip
        _audit(self.s, cs, row, "forked_from", {**fork_of, "copied_blocks": sorted(copied)})
        _audit(self.s, cs, run.inst, "forked", {"fork_instance_id": row.id, **fork_of})
        await self._commit(cs)
        return row.id

    # -- internals -------------------------------------------------------------------------------

    async def _run(self, instance_id: str) -> Run:
        run = await self._load_run(instance_id)
        if run is None:
            raise NotFoundError(f"instance {instance_id} not found")
        if ENTRY_KEY in run.inst.metadata:
            raise InvalidTransitionError(
                f"instance {instance_id} is an item of a parallel for_each; retry, resume "
                f"or fork its parent ({run.inst.parent_instance_id}) instead"
            )
        return run

    async def _rewind(
        self, run: Run, index: int, reason: str, data: Mapping[str, Any] | None
    ) -> None:
        roots = run.tree.roots
        if data is not None:
            _check_data(data)
            if not merge_into_data(run, dict(data), source=reason):
                raise_if([Problem("data", "context.data would pass the 256 KiB size cap")])
        reset: list[NodeRow] = []
        for root in roots[index:]:
            reset += [root, *descendants(run, root)]
        for node in reset:
            cancel_child(run, node)  # a paused instance's children may still run
            if node.state == "waiting" and node.block_type == "step":
                run.pending.tasks_drop_blocks.append(node.block_id)
            run.set_node(node, "pending")
        blocks = sorted({n.block_id for n in reset})
        if blocks:
            run.pending.outputs_prune.append(OutputPrune(blocks[0], -1, blocks))
        meta = run.inst.metadata
        for key in [k for k in meta if k in ("_error", CANCEL_MARKER) or _marks(k, blocks)]:
            del meta[key]
        run.mark_metadata()
        run_id = run.new_id()
        run.touch_runtime(run_id=run_id, started_at=run.now())
        from_block = roots[index].block_id if index < len(roots) else None
        details = {"from_block_id": from_block, "reset_blocks": blocks, "run_id": run_id}
        if data is not None:
            details["data_keys"] = sorted(data)
        run.audit(reason, details, block_id=from_block)
        run.transition("scheduled", reason=reason, run_id=run_id)
        run.schedule(run.now())
        run.release_lease()
        await self._commit(run.take_changeset())

    async def _commit(self, cs: Changeset) -> None:
        result = await self.s.storage.commit(cs)
        if not result.ok:
            raise ConflictError(f"instance {cs.instance_id} changed meanwhile; try again")
        notify_others(self.s, cs)
        publish_changeset(self.s.bus, cs.instance_id, cs)
        self.s.on_reschedule(None)


def _root_index(run: Run, block_id: str) -> int:
    if run.seq.blocks_by_id.get(block_id) is None:
        raise NotFoundError(f"block {block_id!r} is not in this instance's sequence")
    roots = [b.id for b in run.seq.definition.blocks]
    if block_id not in roots:
        raise InvalidTransitionError(
            f"block {block_id!r} is not a top-level block; instances are resumed and forked "
            f"from top-level blocks ({', '.join(roots)})"
        )
    return roots.index(block_id)


def _marks(key: str, blocks: list[str]) -> bool:
    """True for a per-run marker (``_route:<id>``, ...) of one of ``blocks``."""
    return any(key.startswith(p) and key[len(p) :] in blocks for p in MARKER_PREFIXES)


def _check_data(data: Any) -> None:
    if not isinstance(data, Mapping):
        raise_if([Problem("data", f"must be an object, not {type(data).__name__}")])
    problems: list[Problem] = []
    check_context({"data": dict(data)}, problems)
    raise_if(problems)


def _fork_row(run: Run, new_id: str, block_id: str, data: Mapping[str, Any] | None) -> InstanceRow:
    src, now = run.inst, run.now()
    context_data = dict(src.context_data)
    if data is not None:
        _check_data(data)
        context_data.update(data)
    problems: list[Problem] = []
    check_context({"data": context_data, "config": src.context_config}, problems)
    raise_if(problems)
    runtime = {"run_id": run.new_id(), "instance_id": new_id, "started_at": now}
    metadata: dict[str, Any] = {"_forked_from": {"instance_id": src.id, "block_id": block_id}}
    if src.metadata.get(INJECTED_KEY):  # the fork runs the same blocks as its source
        metadata[INJECTED_KEY] = src.metadata[INJECTED_KEY]
    return InstanceRow(
        new_id, src.sequence_id, src.tenant_id, src.namespace, "scheduled", None, src.priority,
        src.timezone, metadata, context_data, dict(src.context_config), [], runtime, None,
        None, None, None, None, src.budget, now, now,
    )  # fmt: skip


def _copy_nodes(run: Run, new_id: str, earlier: list[NodeRow], cs: Changeset) -> set[str]:
    """The fork's tree: fresh nodes, with the states of the blocks before the fork point
    copied; returns the block ids copied."""
    source = {n.block_id: n for root in earlier for n in (root, *descendants(run, root))}
    cs.nodes_insert = rebuild_nodes(new_id, run.seq.definition.blocks, run.new_id, source)
    return set(source)


def _audit(
    s: Services,
    cs: Changeset,
    inst: InstanceRow,
    event: str,
    details: dict[str, Any],
    *,
    to_state: str | None = None,
) -> None:
    row = AuditRow(
        s.clock.uuid(), inst.id, inst.tenant_id, event, None, to_state, None, details, cs.now
    )
    cs.audit.append(row)
