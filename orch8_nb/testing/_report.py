"""Text that explains an instance in a failure message: its tree, its error, what it waits on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from orch8_nb.engine import Engine, Instance
from orch8_nb.model import ForEachDef, StepDef, SubSequenceDef


@dataclass(frozen=True, slots=True)
class Wait:
    """One waiting block: what it waits for, and whether a handler of that name is known."""

    block_id: str
    what: str
    handler: str | None = None
    registered: bool = False


def short_json(value: Any, limit: int = 400) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def waits(engine: Engine, inst: Instance, *, depth: int = 0) -> list[Wait]:
    """The waiting blocks of ``inst`` and what each waits for (children's waits indented)."""
    waiting = [n.block_id for n in inst.tree() if n.state == "waiting"]
    if not waiting:
        return []
    seq = engine.get_sequence(str(inst.snapshot().sequence_id))
    handlers = set(engine.handlers)
    blocks = {ref.block.id: ref.block for ref in seq.iter_blocks()}
    found = []
    for block_id in waiting:
        block = blocks.get(block_id)
        if isinstance(block, StepDef) and block.wait_for_input is not None:
            found.append(Wait(block_id, f"step {block_id!r} waits for human input"))
        elif isinstance(block, StepDef):
            known = block.handler in handlers
            what = (
                f"step {block_id!r} waits for an external worker (handler {block.handler!r}, "
                f"{'registered, but the task is with a worker' if known else 'not registered'})"
            )
            found.append(Wait(block_id, what, block.handler, known))
        elif isinstance(block, SubSequenceDef | ForEachDef):
            what = "a child instance" if isinstance(block, SubSequenceDef) else "its items"
            found.append(Wait(block_id, f"block {block_id!r} waits for {what}"))
        else:
            found.append(Wait(block_id, f"block {block_id!r} is waiting"))
    for child in inst.children() if depth < MAX_REPORT_DEPTH else []:
        if child.state in ("waiting", "paused"):
            found.append(Wait("", f"child {child.id} is {child.state}"))
            for wait in waits(engine, child, depth=depth + 1):
                found.append(Wait(wait.block_id, f"  {wait.what}", wait.handler, wait.registered))
    return found


#: How deep the report follows child instances.
MAX_REPORT_DEPTH = 4


def children_can_move(inst: Instance) -> bool:
    """True if a child instance (at any depth) is due or running, or has ended with its
    result not yet taken: its parent's wait ends without anyone's help."""
    stack = [inst]
    while stack:
        parent = stack.pop()
        awaited = _awaited(parent)
        for child in parent.children():
            if child.state in ("scheduled", "running"):
                return True
            if child.id in awaited and child.state in ("completed", "failed", "cancelled"):
                return True  # its result is queued for the parent
            if child.state == "waiting":
                stack.append(child)
    return False


def _awaited(parent: Instance) -> set[str]:
    """Ids of the children the parent's waiting nodes wait for."""
    meta = parent.snapshot().metadata
    waiting = {n.block_id for n in parent.tree() if n.state == "waiting"}
    ids: set[str] = set()
    for key, value in meta.items():
        kind, _, block_id = key.partition(":")
        if block_id not in waiting:
            continue
        if kind == "_child" and isinstance(value, str):
            ids.add(value)
        elif kind == "_each_live" and isinstance(value, dict):
            ids.update(str(v) for v in value.values())
    return ids


def describe(inst: Instance) -> str:
    """The instance tree with node states, then its error (if it failed), indented."""
    lines = [f"instance {inst.id}:"]
    lines += [f"  {line}" for line in repr(inst).splitlines()]
    error = inst.error
    if error is not None:
        lines.append(f"  error: {short_json(error)}")
    return "\n".join(lines)
