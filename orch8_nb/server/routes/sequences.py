"""Sequences: register (a new version only when the blocks change), read, versions,
deprecate, delete; and rebinding an instance to another version."""

from __future__ import annotations

import warnings
from typing import Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field

from orch8_nb.engine import Engine, UnregisteredHandlerWarning
from orch8_nb.server.wire import instance_json, sequence_json


class MigrateInstance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instance_id: str = Field(min_length=1)
    target_sequence_id: str = Field(min_length=1)


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
        found = engine.list_sequences(name, limit=limit + 1, offset=offset)
        return {"items": [sequence_json(s) for s in found[:limit]], "has_more": len(found) > limit}

    @api.get("/sequences/by-name")
    def by_name(name: str, version: int | None = None) -> dict[str, Any]:
        """The latest non-deprecated version of ``name``, or the exact ``version``."""
        return sequence_json(engine.find_sequence(name, version))

    @api.get("/sequences/versions")
    def versions(name: str) -> list[dict[str, Any]]:
        return [sequence_json(s) for s in engine.sequence_versions(name)]

    @api.post("/sequences/migrate-instance")
    def migrate_instance(body: MigrateInstance) -> dict[str, Any]:
        """Point an unfinished instance at another version (every block of its tree must
        exist there): Orch8's ``{migrated, instance_id, from_sequence_id,
        to_sequence_id}``, with the instance itself (what the Python SDK parses)."""
        engine.get_sequence(body.target_sequence_id)  # 404; an id, never a name
        inst = engine.get_instance(body.instance_id)
        moved = engine.migrate_instance(inst, body.target_sequence_id)
        return {**instance_json(inst.snapshot()), **moved}

    @api.post("/sequences/{sequence_id}/deprecate")
    def deprecate(sequence_id: str) -> dict[str, Any]:
        """Lookups by name skip it from now on; instances already running keep it."""
        return sequence_json(engine.deprecate_sequence(sequence_id))

    @api.get("/sequences/{sequence_id}")
    def get(sequence_id: str) -> dict[str, Any]:
        return sequence_json(engine.get_sequence(sequence_id))

    @api.delete("/sequences/{sequence_id}")
    def delete(
        sequence_id: str,
        purge: bool = Query(False, description="Delete its finished instances with it."),
    ) -> dict[str, Any]:
        """Delete a version: 409 while an instance of it is unfinished, or while finished
        ones still reference it (unless ``purge``; deprecating keeps them instead)."""
        deleted = engine.delete_sequence(sequence_id, purge=purge)
        return {"id": sequence_id, "deleted": True, "instances_deleted": deleted}

    return api
