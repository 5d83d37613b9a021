"""The dead-letter queue: failed instances, grouped by what failed them.

A group's fingerprint is stable across runs and engines: a hash of the sequence version,
the failing block and its handler, the error's kind and code, and the error message with
its variable parts (numbers, ids, quoted values) masked. Two instances that failed "the
same way" share a fingerprint even when their messages name different orders or amounts.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from orch8_nb.engine.catalog import SequenceCatalog
from orch8_nb.storage.base import Storage
from orch8_nb.storage.rows import InstanceFilter, InstanceRow

_MASKS = (
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I), "<id>"),
    (re.compile(r"\b[0-9a-f]{16,}\b", re.I), "<hex>"),
    (re.compile(r"'[^']*'|\"[^\"]*\""), "<str>"),
    (re.compile(r"\d+(\.\d+)?"), "<n>"),
)
#: How many failed instances a grouping looks at (newest first).
SCAN_LIMIT = 10_000


def normalize_message(message: str) -> str:
    """The message with its variable parts masked (its first line only)."""
    text = message.strip().splitlines()[0] if message.strip() else ""
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text


def fingerprint(row: InstanceRow, handler: str | None) -> tuple[str, dict[str, Any]]:
    """The group key of a failed instance, and the parts it was made from."""
    error = row.metadata.get("_error")
    error = error if isinstance(error, dict) else {}
    parts = {
        "sequence_id": row.sequence_id,
        "block_id": error.get("block_id"),
        "handler": handler,
        "error_kind": error.get("kind"),
        "error_code": error.get("code"),
        "message": normalize_message(str(error.get("message", ""))),
    }
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16], parts


async def failed_rows(
    storage: Storage, tenant_id: str, limit: int, offset: int
) -> list[InstanceRow]:
    flt = InstanceFilter(tenant_id=tenant_id, states=("failed",))
    return await storage.list_instances(flt, limit, offset)


async def groups(
    storage: Storage, catalog: SequenceCatalog, tenant_id: str
) -> list[dict[str, Any]]:
    """Failed instances grouped by fingerprint, biggest group first."""
    found: dict[str, dict[str, Any]] = {}
    for row in await failed_rows(storage, tenant_id, SCAN_LIMIT, 0):
        seq = await catalog.compiled(row.sequence_id)
        error = row.metadata.get("_error")
        block_id = error.get("block_id") if isinstance(error, dict) else None
        block = seq.blocks_by_id.get(block_id) if isinstance(block_id, str) else None
        key, parts = fingerprint(row, getattr(block, "handler", None))
        group = found.get(key)
        if group is None:
            definition = seq.definition
            group = found[key] = {
                "fingerprint": key, "count": 0, "sequence_name": definition.name,
                "sequence_version": definition.version, **parts, "instance_ids": [],
                "first_failed_at": row.updated_at, "last_failed_at": row.updated_at,
            }  # fmt: skip
        group["count"] += 1
        group["instance_ids"].append(row.id)
        group["first_failed_at"] = min(group["first_failed_at"], row.updated_at)
        group["last_failed_at"] = max(group["last_failed_at"], row.updated_at)
    return sorted(found.values(), key=lambda g: (-g["count"], -g["last_failed_at"]))
