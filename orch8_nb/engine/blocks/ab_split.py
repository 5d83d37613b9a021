"""``ab_split``: one weighted variant runs, picked deterministically; the others are skipped.

The pick is Orch8's: SHA-256 over the instance id's 16 bytes, a zero byte and the block id
(UTF-8); the first 8 bytes as a big-endian integer, modulo the total weight, select the
first variant whose cumulative weight exceeds it. The same instance and block always get
the same variant, here and in Orch8. The block's output is ``{variant, variant_index}``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from orch8_nb.engine.blocks._lanes import advance_lane, all_pending, close, finish, lanes
from orch8_nb.engine.evaluator import Evaluation
from orch8_nb.engine.run import Run
from orch8_nb.storage.rows import NodeRow


def pick_variant(instance_id: str, block_id: str, weights: Sequence[int]) -> int:
    """Index of the variant Orch8 would pick for this instance and block."""
    digest = hashlib.sha256(uuid.UUID(instance_id).bytes + b"\x00" + block_id.encode()).digest()
    target = int.from_bytes(digest[:8], "big") % sum(weights)
    total = 0
    for index, weight in enumerate(weights):
        total += weight
        if target < total:
            return index
    return len(weights) - 1  # unreachable with positive total weight


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    variants = lanes(run, node)
    if all(all_pending(children) for children in variants.values()):
        index = pick_variant(run.inst.id, block.id, [v.weight for v in block.variants])
        chosen_variant = {"variant": block.variants[index].name, "variant_index": index}
        run.add_output(block.id, chosen_variant, attempt=0)
        run.audit("variant_assigned", chosen_variant, block_id=block.id)
        for other, children in variants.items():
            if other != index:
                close(run, children, "skipped")
        ev.changed = True
    chosen = run.outputs[block.id].output["variant_index"]
    finish(run, node, ev, advance_lane(run, variants.get(chosen, []), ev, in_flight))
