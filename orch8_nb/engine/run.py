"""One instance's state while an engine holds it, and the changes not yet committed.

The evaluator and the block implementations mutate a :class:`Run` in memory; every change
is mirrored into ``pending`` (a :class:`Changeset`) so one commit writes exactly what
changed. After a commit the run keeps going from memory: no re-read per step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from orch8_nb.engine.clock import Clock
from orch8_nb.engine.compiled import CompiledSequence
from orch8_nb.engine.tree import Tree
from orch8_nb.errors import InvalidTransitionError
from orch8_nb.model import ERROR_REF, can_transition
from orch8_nb.storage.rows import (
    AuditRow,
    Changeset,
    InstanceBundle,
    InstanceRow,
    NodeRow,
    NodeUpdate,
    OutputRow,
    SignalRow,
)

encode_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


@dataclass(slots=True)
class StepError:
    """A failed attempt, as recorded in audit rows and instance metadata."""

    message: str
    retryable: bool
    details: Any = None
    code: str | None = None
    kind: str = "handler"  # handler | timeout | template | output_schema | config | worker

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "retryable": self.retryable}
        if self.details is not None:
            out["details"] = self.details
        if self.code is not None:
            out["code"] = self.code
        out["kind"] = self.kind
        return out


@dataclass(slots=True)
class Run:
    inst: InstanceRow
    seq: CompiledSequence
    tree: Tree
    outputs: dict[str, OutputRow]
    attempts: dict[str, OutputRow]
    kv: dict[str, Any]
    signals: list[SignalRow]
    clock: Clock
    pending: Changeset = field(init=False)
    #: Index of the first root not yet completed or skipped (roots never go back).
    root_cursor: int = 0
    _node_updates: dict[str, NodeRow] = field(default_factory=dict)
    _meta_dirty: bool = False
    _runtime_dirty: bool = False
    _runtime_saved: bool = False
    _data_dirty: bool = False

    def __post_init__(self) -> None:
        self.pending = self._fresh()

    def now(self) -> int:
        return self.clock.now_ms()

    def new_id(self) -> str:
        return self.clock.uuid()

    @classmethod
    def from_bundle(
        cls,
        bundle: InstanceBundle,
        seq: CompiledSequence,
        clock: Clock,
    ) -> Run:
        return cls(
            bundle.instance, seq, Tree(bundle.nodes), dict(bundle.outputs),
            dict(bundle.attempts), dict(bundle.kv), list(bundle.signals), clock,
        )  # fmt: skip

    def _fresh(self) -> Changeset:
        return Changeset(self.inst.id, self.inst.rev, 0, expect_state=self.inst.state)

    # -- nodes -----------------------------------------------------------------------------------

    def insert_nodes(self, nodes: list[NodeRow]) -> None:
        for node in nodes:
            self.tree.add(node)
        self.pending.nodes_insert.extend(nodes)

    def set_node(self, node: NodeRow, state: str) -> None:
        """Move a node to ``state``, stamping start/end times the first time they apply."""
        now = self.now()
        if state in ("running", "waiting") and node.started_at is None:
            node.started_at = now
        if state in ("completed", "failed", "cancelled", "skipped"):
            node.completed_at = now
        elif state == "pending":
            node.started_at = None
            node.completed_at = None
        node.state = state
        self._node_updates[node.id] = node

    # -- outputs, state, context -----------------------------------------------------------------

    def add_output(
        self,
        block_id: str,
        value: Any,
        *,
        attempt: int,
        ref: str | None = None,
        encoded: str | None = None,
    ) -> OutputRow:
        """Append an output row; ``encoded`` is ``value`` as compact JSON if known."""
        if encoded is None:
            encoded = encode_json(value)
        row = OutputRow(
            self.new_id(), self.inst.id, block_id, value, ref, len(encoded.encode()), attempt,
            self.now(), encoded=encoded,
        )  # fmt: skip
        self.pending.outputs.append(row)
        self.attempts[block_id] = row
        if ref is None:
            self.outputs[block_id] = row
        return row

    def set_kv(self, key: str, value: Any) -> None:
        self.kv[key] = value
        self.pending.kv_set[key] = value
        if key in self.pending.kv_delete:
            self.pending.kv_delete.remove(key)

    def delete_kv(self, key: str) -> None:
        self.kv.pop(key, None)
        self.pending.kv_set.pop(key, None)
        if key not in self.pending.kv_delete:
            self.pending.kv_delete.append(key)

    def set_metadata(self, key: str, value: Any) -> None:
        self.inst.metadata[key] = value
        self._meta_dirty = True

    def mark_metadata(self) -> None:
        """Metadata was changed in place: write it with the next commit."""
        self._meta_dirty = True

    def touch_runtime(self, **values: Any) -> None:
        self.inst.context_runtime.update(values)
        self._runtime_dirty = True

    def stamp_run_start(self) -> None:
        """Give a run that has none yet its ``run_id`` and start time (the runtime section)."""
        if "run_id" not in self.inst.context_runtime:
            self.touch_runtime(
                run_id=self.new_id(), started_at=self.now(), instance_id=self.inst.id
            )

    def merge_data(self, values: dict[str, Any]) -> None:
        self.inst.context_data.update(values)
        self._data_dirty = True

    def audit(
        self,
        event_type: str,
        details: Any,
        *,
        block_id: str | None = None,
        from_state: str | None = None,
        to_state: str | None = None,
    ) -> None:
        self.pending.audit.append(
            AuditRow(
                self.new_id(),
                self.inst.id,
                self.inst.tenant_id,
                event_type,
                from_state,
                to_state,
                block_id,
                details,
                self.now(),
            )
        )

    # -- lifecycle -------------------------------------------------------------------------------

    def transition(self, to_state: str, **details: Any) -> None:
        """Change the instance state (checked against the transition table) with an audit row."""
        current = self.inst.state
        if not can_transition(current, to_state):
            raise InvalidTransitionError(f"instance {self.inst.id}: {current} -> {to_state}")
        self.inst.state = to_state
        self.pending.instance["state"] = to_state
        self.audit("state_transition", details, from_state=current, to_state=to_state)

    def schedule(self, fire_at: int | None) -> None:
        self.inst.next_fire_at = fire_at
        self.pending.instance["next_fire_at"] = fire_at

    def release_lease(self) -> None:
        self.inst.lease_owner = None
        self.pending.instance["lease_owner"] = None

    # -- committing ------------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        p = self.pending
        return bool(
            self._node_updates or self._meta_dirty or self._data_dirty
            or p.instance or p.outputs or p.audit or p.nodes_insert or p.kv_set or p.kv_delete
            or p.tasks_insert or p.tasks_update or p.tasks_withdraw or p.tasks_drop_blocks
            or p.signals_delivered or p.instances_insert or p.signals_send or p.outputs_prune
            or p.nodes_delete
        )  # fmt: skip

    def take_changeset(self) -> Changeset:
        """Seal the pending changes for commit and start a new, empty set."""
        cs = self.pending
        cs.now = self.now()
        inserted = {n.id for n in cs.nodes_insert}
        cs.nodes_update = [
            NodeUpdate(n.id, n.state, n.started_at, n.completed_at)
            for n in self._node_updates.values()
            if n.id not in inserted  # inserted rows already carry their latest state
        ]
        if self._meta_dirty:
            cs.instance["metadata"] = dict(self.inst.metadata)
        # Per-step runtime stamps (current_step, attempt, ...) are informational: written
        # with state changes and the first commit, not with every step, to keep the hot
        # path lean. After a crash they are stamped afresh.
        if self._runtime_dirty and ("state" in cs.instance or not self._runtime_saved):
            self._runtime_saved = True
            self._runtime_dirty = False
            cs.instance["context_runtime"] = dict(self.inst.context_runtime)
        if self._data_dirty:
            cs.instance["context_data"] = dict(self.inst.context_data)
        self._node_updates = {}
        self._meta_dirty = self._data_dirty = False
        self.pending = self._fresh()
        return cs

    def committed(self, rev: int) -> None:
        self.inst.rev = rev
        self.inst.updated_at = self.now()
        self.pending.expect_rev = rev
        self.pending.expect_state = self.inst.state


def fail_node(run: Run, node: NodeRow, error: StepError, *, attempt: int = 0) -> None:
    """Fail a node and keep its error as an ``__error__`` output row (durable, inspectable)."""
    run.add_output(node.block_id, error.to_json(), attempt=attempt, ref=ERROR_REF)
    run.set_node(node, "failed")


def failure_of(run: Run) -> tuple[str, dict[str, Any]] | None:
    """The block id and error that failed the run: the last failed node with an error row."""
    found: tuple[str, dict[str, Any]] | None = None
    for node in run.tree.nodes.values():
        row = run.attempts.get(node.block_id)
        if node.state == "failed" and row is not None and row.output_ref == ERROR_REF:
            found = (node.block_id, row.output)
    return found
