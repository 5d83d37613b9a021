"""``cancellation_scope``: its blocks run in order and are protected from cancellation.

An external cancel waits until the scope has drained (the runner defers it), then applies.
"""

from __future__ import annotations

from typing import Any

from orch8_nb.engine.blocks._lanes import advance_lane, finish, lanes
from orch8_nb.engine.evaluator import Evaluation
from orch8_nb.engine.run import Run
from orch8_nb.storage.rows import NodeRow


def advance(run: Run, node: NodeRow, block: Any, ev: Evaluation, in_flight: set[str]) -> None:
    finish(run, node, ev, advance_lane(run, lanes(run, node).get(None, []), ev, in_flight))
