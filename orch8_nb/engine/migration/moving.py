"""Moving instances to another sequence version: preview, apply, and Orch8's plain rebind.

``plan`` changes nothing. ``apply`` plans each instance again on its current state and
moves it in one commit (compare-and-swap on its revision, with a ``migrated`` audit row),
so an instance that a scheduler claims or a worker answers meanwhile is never half moved:
the commit loses, the instance is planned again from what it is now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from orch8_nb.engine.blocks._lanes import MARKER_PREFIXES
from orch8_nb.engine.catalog import SequenceCatalog, SequenceRef
from orch8_nb.engine.children import notify_others
from orch8_nb.engine.compiled import CompiledSequence
from orch8_nb.engine.migration.plan import InstanceMigration, migrated_tree, plan_instance
from orch8_nb.engine.migration.transform import TransformOp, parse_transform
from orch8_nb.engine.rerun import LoadRun
from orch8_nb.engine.run import Run
from orch8_nb.engine.services import Services
from orch8_nb.errors import InvalidTransitionError, NotFoundError
from orch8_nb.storage.rows import InstanceFilter

#: Attempts to move one instance that keeps changing under the move.
ATTEMPTS = 3


class Migrator:
    def __init__(self, services: Services, load_run: LoadRun, catalog: SequenceCatalog) -> None:
        self.s = services
        self._load_run = load_run
        self.catalog = catalog

    async def candidates(self, target: CompiledSequence) -> list[str]:
        """Unfinished instances on other versions of the target's sequence (by name)."""
        ids: list[str] = []
        for version in await self.catalog.versions(target.definition.name):
            if str(version.id) == target.id:
                continue
            flt = InstanceFilter(
                tenant_id=self.catalog.tenant_id, sequence_id=str(version.id),
                states=("scheduled", "running", "waiting", "paused"),
            )  # fmt: skip
            ids += [r.id for r in await self.s.storage.list_instances(flt, 100_000, 0)]
        return ids

    async def plan(
        self,
        instance_ids: Iterable[str],
        target_ref: SequenceRef,
        transform: Sequence[Mapping[str, Any]] | None = None,
    ) -> tuple[CompiledSequence, list[InstanceMigration]]:
        target = await self.catalog.resolve(target_ref)
        ops = parse_transform(transform)
        items = []
        for iid in instance_ids:
            run = await self._run(iid)
            items.append(_plan(run, target, ops))
        return target, items

    async def apply(
        self,
        instance_ids: Iterable[str],
        target_ref: SequenceRef,
        transform: Sequence[Mapping[str, Any]] | None = None,
    ) -> list[InstanceMigration]:
        target = await self.catalog.resolve(target_ref)
        ops = parse_transform(transform)
        return [await self._move(iid, target, ops) for iid in instance_ids]

    async def rebind(self, instance_id: str, target_ref: SequenceRef) -> dict[str, Any]:
        """Orch8's ``migrate-instance``: point the instance at another version, nothing more.

        Refused when a block of its tree is missing from the target (``plan_migration``
        handles structural changes) or when it is finished or running.
        """
        target = await self.catalog.resolve(target_ref)
        if target.definition.tenant_id != self.catalog.tenant_id:  # another tenant's: unseen
            raise NotFoundError(f"sequence {target.id} not found")
        run = await self._run(instance_id)
        if run.inst.state not in ("scheduled", "waiting", "paused"):
            raise InvalidTransitionError(
                f"instance {instance_id} is {run.inst.state}; only a scheduled, waiting or "
                "paused instance can be rebound"
            )
        missing = sorted({n.block_id for n in run.tree.nodes.values()} - set(target.blocks_by_id))
        if missing:
            raise InvalidTransitionError(
                f"version {target.definition.version} has no block {missing[0]!r} of instance "
                f"{instance_id}; use plan_migration for structural changes"
            )
        source = run.inst.sequence_id
        run.inst.sequence_id = target.id
        run.pending.instance["sequence_id"] = target.id
        details = {"mode": "rebind", "from_sequence_id": source, "to_sequence_id": target.id}
        run.audit("migrated", details)
        if not (await self.s.storage.commit(run.take_changeset())).ok:
            raise InvalidTransitionError(f"instance {instance_id} changed meanwhile; try again")
        return {"migrated": True, "instance_id": instance_id, "from_sequence_id": source,
                "to_sequence_id": target.id}  # fmt: skip

    # -- internals -------------------------------------------------------------------------------

    async def _run(self, instance_id: str) -> Run:
        run = await self._load_run(instance_id)
        if run is None:
            raise NotFoundError(f"instance {instance_id} not found")
        return run

    async def _move(
        self, instance_id: str, target: CompiledSequence, ops: list[TransformOp]
    ) -> InstanceMigration:
        for _ in range(ATTEMPTS):
            run = await self._run(instance_id)
            item = _plan(run, target, ops)
            if not item.can_move:
                return item
            cs = _moved(run, target, item)
            if (await self.s.storage.commit(cs)).ok:
                notify_others(self.s, cs)
                self.s.on_reschedule(run.inst.next_fire_at)
                return item
        item.reason = f"it kept changing while being moved ({ATTEMPTS} attempts); try again"
        return item


def _plan(run: Run, target: CompiledSequence, ops: list[TransformOp]) -> InstanceMigration:
    return plan_instance(run.inst, list(run.tree.nodes.values()), run.seq, target, ops)


def _moved(run: Run, target: CompiledSequence, item: InstanceMigration) -> Any:
    """The changeset that moves ``run`` as ``item`` says."""
    nodes = list(run.tree.nodes.values())
    cs = run.pending
    if nodes:
        cs.nodes_delete = True
        cs.nodes_insert, _ = migrated_tree(run.inst.id, nodes, target, run.new_id)
    source = run.inst.sequence_id
    run.inst.sequence_id = target.id
    cs.instance["sequence_id"] = target.id
    meta = run.inst.metadata
    gone = set(item.removed)
    for key in [
        k for k in meta for p in MARKER_PREFIXES if k.startswith(p) and k[len(p) :] in gone
    ]:
        del meta[key]
    run.mark_metadata()
    if item.data is not None:
        run.inst.context_data = item.data
        run.merge_data({})
    run.audit(
        "migrated",
        {
            "mode": "plan", "from_sequence_id": source, "to_sequence_id": target.id,
            "from_version": item.from_version, "to_version": item.to_version,
            "cursor": item.cursor, "kept": item.kept, "added": item.added,
            "skipped": item.skipped, "removed": item.removed, "changed": item.changed,
            "transformed": item.data is not None,
        },
    )  # fmt: skip
    return run.take_changeset()
