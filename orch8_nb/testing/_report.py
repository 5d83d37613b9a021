"""Text that explains an instance in a failure message: its tree, its error, what it waits on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from orch8_nb.engine import Engine, Instance
from orch8_nb.model import StepDef, SubSequenceDef


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


def waits(engine: Engine, inst: Instance) -> list[Wait]:
    """The waiting blocks of ``inst`` and what each waits for."""
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
        elif isinstance(block, SubSequenceDef):
            found.append(Wait(block_id, f"block {block_id!r} waits for a child instance"))
        else:
            found.append(Wait(block_id, f"block {block_id!r} is waiting"))
    return found


def describe(inst: Instance) -> str:
    """The instance tree with node states, then its error (if it failed), indented."""
    lines = [f"instance {inst.id}:"]
    lines += [f"  {line}" for line in repr(inst).splitlines()]
    error = inst.error
    if error is not None:
        lines.append(f"  error: {short_json(error)}")
    return "\n".join(lines)
