"""Sequences: register (a new version only when the blocks change), read, versions."""

from __future__ import annotations

import warnings
from typing import Any

from fastapi import APIRouter, Body, Query

from orch8_nb.engine import Engine, UnregisteredHandlerWarning
from orch8_nb.model import SequenceDefinition
from orch8_nb.server.wire import sequence_json


def router(engine: Engine) -> APIRouter:
    api = APIRouter(tags=["sequences"])

    @api.post("/sequences", status_code=201)
    def create(definition: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        """Register a sequence. Orch8 answers ``{id, warnings}``; the whole definition is
        returned (a superset), which the Python SDK reads. Handlers this engine does not
        have are expected here (external workers run them); they are listed in
        ``warnings``."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UnregisteredHandlerWarning)
            seq = engine.upsert_sequence(definition)
        notes = [
            str(w.message) for w in caught if issubclass(w.category, UnregisteredHandlerWarning)
        ]
        return {**sequence_json(seq), "warnings": notes}

    @api.get("/sequences")
    def list_(
        name: str | None = None,
        limit: int = Query(100, ge=1, le=1000),
        offset: int = Query(0, ge=0),
    ) -> dict[str, Any]:
        """``{items, has_more}``: every version, by name then version."""
        core = engine.aio
        rows = engine._thread.call(core.storage.list_sequences(
            core.tenant_id, core.namespace, name, limit + 1, offset))  # fmt: skip
        items = [SequenceDefinition.from_json(r.definition) for r in rows[:limit]]
        return {"items": [sequence_json(s) for s in items], "has_more": len(rows) > limit}

    @api.get("/sequences/by-name")
    def by_name(name: str, version: int | None = None) -> dict[str, Any]:
        """The latest non-deprecated version of ``name``, or the exact ``version``."""
        return sequence_json(engine.find_sequence(name, version))

    @api.get("/sequences/versions")
    def versions(name: str) -> list[dict[str, Any]]:
        return [sequence_json(s) for s in engine.sequence_versions(name)]

    @api.post("/sequences/{sequence_id}/deprecate")
    def deprecate(sequence_id: str) -> dict[str, Any]:
        """Lookups by name skip it from now on; instances already running keep it."""
        return sequence_json(engine.deprecate_sequence(sequence_id))

    @api.get("/sequences/{sequence_id}")
    def get(sequence_id: str) -> dict[str, Any]:
        return sequence_json(engine.get_sequence(sequence_id))

    return api
