"""What an instance's reprs draw, gathered for ``orch8_nb.render``: its row, the sequence
it runs (just the body, for an item of a parallel ``for_each``), its tree and latest
outputs (a mixin of :class:`~orch8_nb.engine.Engine`, called by ``Instance``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from orch8_nb.engine.children import ENTRY_KEY, INDEX_KEY
from orch8_nb.model import ERROR_REF, ExecutionNode, ForEachDef, SequenceDefinition
from orch8_nb.storage.rows import InstanceRow

if TYPE_CHECKING:
    from orch8_nb.engine.core import AsyncEngine
    from orch8_nb.engine.facade import Engine
    from orch8_nb.engine.loopthread import LoopThread


class Display:
    _core: AsyncEngine
    _thread: LoopThread

    def _render_instance_text(self, instance_id: str) -> str:
        from orch8_nb.render.instance import instance_text

        return instance_text(*self._render_inputs(instance_id))

    def _render_instance_html(self, instance_id: str) -> str:
        from orch8_nb.render.instance import instance_html

        return instance_html(*self._render_inputs(instance_id))

    def _render_inputs(
        self, instance_id: str
    ) -> tuple[InstanceRow, SequenceDefinition, list[ExecutionNode], dict[str, Any]]:
        engine = cast("Engine", self)
        row = engine._row(instance_id)
        seq = self._thread.call(self._core.catalog.for_instance(row)).definition
        entry = row.metadata.get(ENTRY_KEY)
        if isinstance(entry, str):  # an item instance of a parallel for_each: just its body
            each = next(r.block for r in seq.iter_blocks() if r.block.id == entry)
            assert isinstance(each, ForEachDef)
            label = f"{seq.name} · {entry}[{row.metadata.get(INDEX_KEY)}]"
            seq = seq.model_copy(update={"name": label, "blocks": each.body})
        nodes = engine.tree(instance_id)
        latest: dict[str, Any] = {}  # real outputs, and the error of a block that failed
        for out in engine.outputs(instance_id):
            if out.output_ref in (None, ERROR_REF):
                latest[out.block_id] = out.output
        return row, seq, nodes, latest
