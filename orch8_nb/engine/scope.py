"""Builds the expression scope of a run without copying its outputs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from orch8_nb.engine.run import Run
from orch8_nb.expr import Scope
from orch8_nb.storage.rows import OutputRow


class OutputValues(Mapping[str, Any]):
    """``block_id -> latest real output`` as a read-only view over the run's rows."""

    __slots__ = ("_rows",)

    def __init__(self, rows: Mapping[str, OutputRow]) -> None:
        self._rows = rows

    def __getitem__(self, key: str) -> Any:
        return self._rows[key].output

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def scope_for(run: Run, *, data: Mapping[str, Any] | None = None) -> Scope:
    ctx = run.inst
    return Scope(
        data=ctx.context_data if data is None else data,
        config=ctx.context_config,
        audit=ctx.context_audit,
        runtime=ctx.context_runtime,
        outputs=OutputValues(run.outputs),
        state=run.kv,
        instance_id=ctx.id,
        now_ms=run.clock.now_ms,
        random=run.clock.random,
        uuid=run.clock.uuid,
    )
