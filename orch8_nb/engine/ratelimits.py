"""Rate limits: a step with ``rate_limit_key`` takes one unit of that key's window.

Limits are set per key (``engine.set_rate_limit("mail", 100, "1m")``) and kept in the
database, so every engine on it shares them; a key without a limit is unlimited. A step
over its limit waits, durably, until the window ends (``_rate_wait:<block>`` in instance
metadata, audited ``rate_limited``). Every attempt takes a unit, retries included.
"""

from __future__ import annotations

from orch8_nb.engine.evaluator import Ready
from orch8_nb.engine.run import Run
from orch8_nb.engine.scope import scope_for
from orch8_nb.engine.services import Services
from orch8_nb.errors import ExpressionError
from orch8_nb.expr import has_template, render_template

WAIT_PREFIX = "_rate_wait:"


async def take_units(s: Services, run: Run, ready: list[Ready]) -> list[Ready]:
    """The ready steps that may run now; the others are marked to wait for their window."""
    granted: list[Ready] = []
    for r in ready:
        key = r.block.rate_limit_key
        if key is None:
            granted.append(r)
            continue
        try:
            name = (
                str(render_template(key, scope_for(run), strict=True)) if has_template(key) else key
            )
        except ExpressionError:
            granted.append(r)  # the step's own template checks report the problem
            continue
        until = await s.storage.acquire_rate(run.inst.tenant_id, name, run.now())
        if until is None:
            granted.append(r)
            continue
        run.set_metadata(WAIT_PREFIX + r.block.id, until)
        run.audit("rate_limited", {"key": name, "until": until}, block_id=r.block.id)
    return granted
