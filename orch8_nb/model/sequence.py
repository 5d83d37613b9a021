"""``SequenceDefinition``: a whole Orch8 sequence, validated as Orch8 does at publish time."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, Self

from pydantic import Field, model_validator

from orch8_nb.errors import SequenceValidationError
from orch8_nb.model._base import DefinitionModel
from orch8_nb.model._types import JsonSchemaDocument, NonEmptyText, PositiveInt, StrictBoolean
from orch8_nb.model._types import UuidText as _UuidText
from orch8_nb.model.blocks import Block
from orch8_nb.model.durations import DurationMs
from orch8_nb.model.timestamps import Timestamp
from orch8_nb.model.tree_checks import check_total, check_tree
from orch8_nb.model.walk import BlockRef, iter_blocks

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from orch8_nb.engine.facade import Engine
    from orch8_nb.render.graphviz import SequenceGraph
    from orch8_nb.widgets import SequenceEditor


class SequenceStatus(StrEnum):
    """Publication status of a sequence version."""

    DRAFT = "draft"  # being edited; not started by name
    STAGING = "staging"  # under test
    PRODUCTION = "production"  # live (the default)
    UNPUBLISHED = "unpublished"  # withdrawn


STATUS_TRANSITIONS: dict[SequenceStatus, frozenset[SequenceStatus]] = {
    SequenceStatus.DRAFT: frozenset({SequenceStatus.STAGING, SequenceStatus.UNPUBLISHED}),
    SequenceStatus.STAGING: frozenset({SequenceStatus.PRODUCTION, SequenceStatus.UNPUBLISHED}),
    SequenceStatus.PRODUCTION: frozenset({SequenceStatus.UNPUBLISHED}),
    SequenceStatus.UNPUBLISHED: frozenset(),
}


class InterceptorHandler(DefinitionModel):
    """A lifecycle hook: Orch8 records a trace output with ``params``."""

    handler: NonEmptyText = Field(description="Handler name.")
    params: Any = Field(None, description="Parameters recorded with the trace.")


class InterceptorDef(DefinitionModel):
    """Hooks around the sequence's lifecycle."""

    before_step: InterceptorHandler | None = Field(None, description="Before every step.")
    after_step: InterceptorHandler | None = Field(None, description="After every step.")
    on_signal: InterceptorHandler | None = Field(None, description="When a signal arrives.")
    on_complete: InterceptorHandler | None = Field(None, description="When the run completes.")
    on_failure: InterceptorHandler | None = Field(None, description="When the run fails.")


class SlaDef(DefinitionModel):
    """Service-level targets; a breach raises an alert but does not stop the run."""

    max_runtime: DurationMs | None = Field(None, description="Whole-run target, in ms.")
    max_step_runtime: DurationMs | None = Field(None, description="Per-step target, in ms.")


class _PrettyPrinter(Protocol):
    def text(self, obj: str) -> None: ...


def _new_id() -> str:
    return str(uuid.uuid4())


class SequenceDefinition(DefinitionModel):
    """An Orch8 sequence: blocks plus metadata, checked against every publish-time rule.

    Build it with ``SequenceDefinition(...)``, ``SequenceDefinition.from_json(...)`` or the
    ``orch8_nb.dsl`` builders; all raise ``SequenceValidationError`` listing each problem
    with its JSON path.
    """

    id: _UuidText = Field(
        default_factory=_new_id, description="Sequence id (UUID); a fresh one if omitted."
    )
    tenant_id: NonEmptyText = Field("default", description="Owning tenant.")
    namespace: NonEmptyText = Field("default", description="Namespace within the tenant.")
    name: NonEmptyText = Field(description="Sequence name; versions share it.")
    version: PositiveInt | None = Field(
        None, description="Version number; omitted means assigned by the engine at registration."
    )
    deprecated: StrictBoolean = Field(
        False, description="Skipped when the latest version is looked up by name."
    )
    status: SequenceStatus = Field(SequenceStatus.PRODUCTION, description="Publication status.")
    blocks: list[Block] = Field(min_length=1, description="Top-level blocks, run in order.")
    interceptors: InterceptorDef | None = Field(None, description="Lifecycle hooks.")
    input_schema: JsonSchemaDocument | None = Field(
        None, description="JSON Schema that context.data must satisfy when an instance starts."
    )
    sla: SlaDef | None = Field(None, description="Alert-only runtime targets.")
    on_failure: list[Block] = Field(
        default_factory=list, description="Best-effort cleanup blocks run when the run fails."
    )
    on_cancel: list[Block] = Field(
        default_factory=list, description="Best-effort cleanup blocks run when it is cancelled."
    )
    created_at: Timestamp | None = Field(
        None, description="RFC 3339 time of registration; set by the engine."
    )

    @model_validator(mode="after")
    def _check_tree(self) -> Self:
        problems, total = check_tree(iter_blocks(self.blocks))
        for field in ("on_failure", "on_cancel"):
            cleanup, count = check_tree(iter_blocks(getattr(self, field), field))
            problems += cleanup
            total += count
        problems += check_total(total)
        if problems:
            raise SequenceValidationError(problems)
        return self

    def iter_blocks(self) -> Iterator[BlockRef]:
        """Every block of the main tree (not the cleanup trees), parents first."""
        return iter_blocks(self.blocks)

    def _repr_html_(self) -> str:
        from orch8_nb.render.sequence_html import sequence_html

        return sequence_html(self)

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **_: Any
    ) -> dict[str, Any]:
        """Text, static HTML and the SequenceView (drawn by the JupyterLab extension)."""
        from orch8_nb.render.views import select_mimes, sequence_bundle

        return select_mimes(sequence_bundle(self), include, exclude)

    def to_graphviz(self) -> SequenceGraph:
        """The sequence as a ``graphviz.Digraph`` (composites as clusters)."""
        from orch8_nb.render.graphviz import sequence_graph

        return sequence_graph(self)

    def edit(self, engine: Engine | None = None) -> SequenceEditor:
        """A visual editor widget on this sequence; with ``engine`` it can register and run."""
        from orch8_nb.widgets import SequenceEditor

        return SequenceEditor(self, engine)

    def _repr_pretty_(self, printer: _PrettyPrinter, cycle: bool) -> None:
        from orch8_nb.render.sequence_text import sequence_text

        printer.text("SequenceDefinition(...)" if cycle else sequence_text(self))

    def __str__(self) -> str:
        from orch8_nb.render.sequence_text import sequence_text

        return sequence_text(self)


def can_change_status(current: SequenceStatus | str, target: SequenceStatus | str) -> bool:
    """Whether a sequence version may move from ``current`` to ``target`` status."""
    return SequenceStatus(target) in STATUS_TRANSITIONS[SequenceStatus(current)]
