"""A new instance: every check before anything is written (each problem with its path),
then the rows that create it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jsonschema

from orch8_nb.engine.clock import Clock
from orch8_nb.engine.compiled import CompiledSequence
from orch8_nb.errors import InstanceValidationError, Problem
from orch8_nb.model import MAX_CONTEXT_BYTES, Priority
from orch8_nb.model.timestamps import datetime_to_ms
from orch8_nb.storage.rows import AuditRow, InstanceRow

CONTEXT_SECTIONS = ("data", "config", "audit", "runtime")


def parse_priority(value: Any, problems: list[Problem]) -> int:
    if isinstance(value, Priority):
        return int(value)
    if isinstance(value, bool):
        problems.append(Problem("priority", "must be Low, Normal, High, Critical or 0..3"))
        return 1
    if isinstance(value, int) and 0 <= value <= 3:
        return value
    if isinstance(value, str):
        for p in Priority:
            if p.name.lower() == value.strip().lower():
                return int(p)
    problems.append(
        Problem("priority", f"must be Low, Normal, High, Critical or 0..3, not {value!r}")
    )
    return 1


def parse_time(value: Any, path: str, problems: list[Problem]) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            problems.append(Problem(path, "datetime must be timezone-aware"))
            return None
        return datetime_to_ms(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    problems.append(Problem(path, "must be epoch milliseconds (int >= 0) or an aware datetime"))
    return None


def check_context(context: Any, problems: list[Problem]) -> dict[str, Any]:
    """Normalise ``{data, config, audit, runtime}``; unknown sections are rejected."""
    if not isinstance(context, Mapping):
        problems.append(Problem("context", f"must be an object, not {type(context).__name__}"))
        return {"data": {}, "config": {}, "audit": [], "runtime": {}}
    out: dict[str, Any] = {"data": {}, "config": {}, "audit": [], "runtime": {}}
    for key, value in context.items():
        if key not in CONTEXT_SECTIONS:
            problems.append(Problem(f"context.{key}", "unknown context section"))
            continue
        want = list if key == "audit" else dict
        if not isinstance(value, want):
            kind = "an array" if want is list else "an object"
            problems.append(
                Problem(f"context.{key}", f"must be {kind}, not {type(value).__name__}")
            )
            continue
        out[key] = value
    try:
        size = len(json.dumps(out, allow_nan=False, separators=(",", ":")).encode())
    except (TypeError, ValueError) as exc:
        problems.append(Problem("context", f"is not JSON: {exc}"))
        return out
    if size > MAX_CONTEXT_BYTES:
        problems.append(
            Problem("context", f"is {size} bytes; the limit is {MAX_CONTEXT_BYTES} bytes")
        )
    return out


def check_input_schema(schema: Any, data: Any, problems: list[Problem]) -> None:
    if schema is None:
        return
    validator = jsonschema.Draft202012Validator(schema)
    for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = "context.data" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path
        )
        problems.append(Problem(path, f"does not match the sequence's input_schema: {err.message}"))


def check_options(
    idempotency_key: Any,
    concurrency_key: Any,
    max_concurrency: Any,
    metadata: Any,
    timezone: Any,
    problems: list[Problem],
) -> None:
    if idempotency_key is not None and (
        not isinstance(idempotency_key, str) or not idempotency_key
    ):
        problems.append(Problem("idempotency_key", "must be a non-empty string"))
    if concurrency_key is not None and (
        not isinstance(concurrency_key, str) or not concurrency_key
    ):
        problems.append(Problem("concurrency_key", "must be a non-empty string"))
    if (concurrency_key is None) != (max_concurrency is None):
        problems.append(
            Problem("max_concurrency", "concurrency_key and max_concurrency go together")
        )
    if max_concurrency is not None and (
        isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int)
        or max_concurrency < 1
    ):  # fmt: skip
        problems.append(Problem("max_concurrency", "must be an integer >= 1"))
    if metadata is not None and not isinstance(metadata, Mapping):
        problems.append(Problem("metadata", "must be an object"))
    if not isinstance(timezone, str) or not timezone:
        problems.append(Problem("timezone", "must be an IANA timezone name"))
    else:
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(timezone)
        except Exception:
            problems.append(Problem("timezone", f"unknown timezone {timezone!r}"))


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise InstanceValidationError(problems)


@dataclass(frozen=True, slots=True)
class Admitted:
    """Create-instance options, checked and normalised."""

    sections: dict[str, Any]
    priority: int
    fire_at: int | None
    idempotency_key: str | None
    concurrency_key: str | None
    max_concurrency: int | None
    metadata: dict[str, Any]
    timezone: str


def admit(
    input_schema: Any,
    data: Mapping[str, Any] | None,
    context: Mapping[str, Any] | None,
    *,
    priority: Any,
    next_fire_at: Any,
    idempotency_key: Any,
    concurrency_key: Any,
    max_concurrency: Any,
    metadata: Any,
    timezone: Any,
) -> Admitted:
    """Check everything at once; raises ``InstanceValidationError`` listing every problem."""
    problems: list[Problem] = []
    ctx: dict[str, Any] = dict(context or {})
    if data is not None:
        if "data" in ctx:
            problems.append(Problem("data", "give data= or context['data'], not both"))
        ctx["data"] = data
    sections = check_context(ctx, problems)
    prio = parse_priority(priority, problems)
    fire = parse_time(next_fire_at, "next_fire_at", problems)
    check_options(idempotency_key, concurrency_key, max_concurrency, metadata, timezone, problems)
    check_input_schema(input_schema, sections["data"], problems)
    raise_if(problems)
    return Admitted(
        sections, prio, fire, idempotency_key, concurrency_key, max_concurrency,
        dict(metadata or {}), timezone,
    )  # fmt: skip


def new_instance_rows(
    admitted: Admitted,
    sequence: CompiledSequence,
    clock: Clock,
    *,
    owner: str | None,
) -> tuple[InstanceRow, list[AuditRow]]:
    """The instance row and its audit rows; with ``owner`` it starts ``running`` under it."""
    now = clock.now_ms()
    iid = clock.uuid()
    sec = admitted.sections
    definition = sequence.definition
    row = InstanceRow(
        iid, sequence.id, definition.tenant_id, definition.namespace,
        "running" if owner else "scheduled", admitted.fire_at, admitted.priority,
        admitted.timezone, admitted.metadata, dict(sec["data"]), dict(sec["config"]),
        list(sec["audit"]), dict(sec["runtime"]), admitted.concurrency_key,
        admitted.max_concurrency, admitted.idempotency_key, None, None, None, now, now,
        1 if owner else 0, owner,
    )  # fmt: skip
    created = {"reason": "created", "sequence_id": sequence.id}
    audits = [_transition(clock, row, None, "scheduled", created, now)]
    if owner:
        started = {"reason": "started locally"}
        audits.append(_transition(clock, row, "scheduled", "running", started, now))
    return row, audits


def _transition(
    clock: Clock, row: InstanceRow, old: str | None, new: str, details: Any, now: int
) -> AuditRow:
    return AuditRow(
        clock.uuid(), row.id, row.tenant_id, "state_transition", old, new, None, details, now
    )
