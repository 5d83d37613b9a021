"""Helpers for the agent tests: run an instance to idle, read its outputs and audit rows."""

from __future__ import annotations

from typing import Any

from orch8_nb.engine import Engine


def run(engine: Engine, seq: Any, data: dict[str, Any] | None = None, **options: Any) -> Any:
    """Create an instance, drive the engine until nothing is due, return the instance."""
    inst = engine.create_instance(seq, data, **options)
    engine.run_until_idle()
    return inst


def output(engine: Engine, inst: Any, block_id: str) -> Any:
    rows = [o for o in engine.outputs(inst.id) if o.block_id == block_id]
    assert rows, f"no output for {block_id}"
    return rows[-1].output


def audit_of(engine: Engine, inst: Any, kind: str) -> list[dict[str, Any]]:
    return [a.details for a in engine.audit(inst.id) if a.event_type == kind]
