"""Malformed sequences, instances and signals: each is refused with an error naming the
bad field's path, and the database is left exactly as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orch8_nb.engine import Engine
from orch8_nb.errors import InputValidationError

STEP = {"type": "step", "id": "a", "handler": "noop"}


def seq_with(**fields: Any) -> dict[str, Any]:
    return {"name": "bad", "blocks": [STEP], **fields}


def step_with(**fields: Any) -> dict[str, Any]:
    return {"name": "bad", "blocks": [{**STEP, **fields}]}


RETRY = {"max_attempts": 3, "initial_backoff": 10, "max_backoff": 100}

SEQUENCES: list[tuple[str, Any, str]] = [
    ("empty blocks", {"name": "bad", "blocks": []}, "blocks"),
    ("misspelt top-level field", {**seq_with(), "blokcs": []}, "blokcs"),
    (
        "missing handler",
        {"name": "bad", "blocks": [{"type": "step", "id": "a"}]},
        "blocks[0].handler",
    ),
    ("empty handler", step_with(handler=""), "blocks[0].handler"),
    ("unknown step field", step_with(retyr=RETRY), "blocks[0].retyr"),
    (
        "zero max_attempts",
        step_with(retry={**RETRY, "max_attempts": 0}),
        "blocks[0].retry.max_attempts",
    ),
    (
        "backoff order",
        step_with(retry={**RETRY, "initial_backoff": 500}),
        "blocks[0].retry.initial_backoff",
    ),
    ("negative timeout", step_with(timeout=-1), "blocks[0].timeout"),
    ("timeout text", step_with(timeout="soon"), "blocks[0].timeout"),
    ("duplicate ids", {"name": "bad", "blocks": [STEP, STEP]}, "blocks[1].id"),
    ("unknown block type", {"name": "bad", "blocks": [{"type": "lop", "id": "x"}]}, "blocks[0]"),
    (
        "parallel without branches",
        {"name": "bad", "blocks": [{"type": "parallel", "id": "p", "branches": []}]},
        "blocks[0].branches",
    ),
    (
        "nested missing handler",
        {
            "name": "bad",
            "blocks": [
                {"type": "parallel", "id": "p", "branches": [[{"type": "step", "id": "x"}]]}
            ],
        },
        "blocks[0].branches[0][0].handler",
    ),
    (
        "loop max_iterations 0",
        {
            "name": "bad",
            "blocks": [
                {
                    "type": "loop",
                    "id": "l",
                    "condition": "true",
                    "body": [STEP],
                    "max_iterations": 0,
                }
            ],
        },
        "blocks[0].max_iterations",
    ),
    (
        "router without routes",
        {"name": "bad", "blocks": [{"type": "router", "id": "r", "routes": []}]},
        "blocks[0].routes",
    ),
    (
        "a/b split with one variant",
        {
            "name": "bad",
            "blocks": [
                {
                    "type": "ab_split",
                    "id": "ab",
                    "variants": [{"name": "a", "weight": 1, "blocks": [STEP]}],
                }
            ],
        },
        "blocks[0].variants",
    ),
    (
        "send window hour 25",
        step_with(send_window={"start_hour": 25, "end_hour": 3}),
        "blocks[0].send_window.start_hour",
    ),
    (
        "duplicate choices",
        step_with(
            wait_for_input={"choices": [{"label": "A", "value": "x"}, {"label": "B", "value": "x"}]}
        ),
        "blocks[0].wait_for_input.choices",
    ),
    (
        "context_access data word",
        step_with(context_access={"data": "some"}),
        "blocks[0].context_access.data",
    ),
    ("name not a string", {"name": 5, "blocks": [STEP]}, "name"),
    ("unknown status", seq_with(status="live"), "status"),
    ("version zero", seq_with(version=0), "version"),
    ("invalid input_schema", seq_with(input_schema={"type": "nonsense"}), "input_schema"),
    ("malformed JSON text", '{"name": "bad", "blocks": [', ""),
]

INSTANCES: list[tuple[str, dict[str, Any], str]] = [
    ("data not an object", {"data": [1, 2]}, "context.data"),
    ("unknown context section", {"context": {"secrets": {}}}, "context.secrets"),
    ("config not an object", {"context": {"config": "x"}}, "context.config"),
    ("unknown priority", {"priority": "Urgent"}, "priority"),
    ("concurrency key alone", {"concurrency_key": "k"}, "max_concurrency"),
    ("max_concurrency zero", {"concurrency_key": "k", "max_concurrency": 0}, "max_concurrency"),
    ("empty idempotency key", {"idempotency_key": ""}, "idempotency_key"),
    ("context too large", {"data": {"blob": "x" * 300_000}}, "context"),
    ("data not JSON", {"data": {"s": {1, 2}}}, "context"),
    ("unknown timezone", {"timezone": "Mars/Olympus"}, "timezone"),
    ("negative fire time", {"next_fire_at": -5}, "next_fire_at"),
    ("input_schema mismatch", {"data": {"age": "old"}, "_schema": True}, "context.data.age"),
]

SIGNALS: list[tuple[str, Any, Any, str]] = [
    ("unknown signal", "explode", None, "signal_type"),
    ("empty custom name", {"custom": ""}, None, "signal_type"),
    ("update_context without data", "update_context", {"values": {}}, "payload.data"),
    ("update_context data list", "update_context", {"data": [1]}, "payload.data"),
]


def names(error: InputValidationError, path: str) -> bool:
    """True when some problem sits at ``path`` or inside it (``path.x``, ``path[1]``)."""
    return any(p == path or p.startswith((f"{path}.", f"{path}[")) for p in error.paths)


def snapshot(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


@pytest.fixture
def setup(make_engine: Callable[..., Engine], tmp_path: Path) -> tuple[Engine, Path, Any]:
    db = tmp_path / "bad.db"
    engine = make_engine(f"sqlite:///{db}", autostart=False)
    schema = {"type": "object", "properties": {"age": {"type": "integer"}}}
    with_schema = engine.upsert_sequence(seq_with(name="schema", input_schema=schema))
    plain = engine.upsert_sequence(seq_with(name="plain"))
    target = engine.create_instance(plain, next_fire_at=engine.clock.now_ms() + 60_000)
    return engine, db, (plain, with_schema, target)


def test_the_table_has_at_least_thirty_cases() -> None:
    assert len(SEQUENCES) + len(INSTANCES) + len(SIGNALS) >= 30


@pytest.mark.parametrize(("case", "body", "path"), SEQUENCES, ids=[c[0] for c in SEQUENCES])
def test_bad_sequences(setup: Any, case: str, body: Any, path: str) -> None:
    engine, db, _ = setup
    before = snapshot(db)
    with pytest.raises(InputValidationError) as info:
        engine.upsert_sequence(body)
    assert names(info.value, path), f"{case}: {info.value}"
    assert snapshot(db) == before


@pytest.mark.parametrize(("case", "options", "path"), INSTANCES, ids=[c[0] for c in INSTANCES])
def test_bad_instances(setup: Any, case: str, options: dict[str, Any], path: str) -> None:
    engine, db, (plain, with_schema, _) = setup
    options = dict(options)
    target = with_schema if options.pop("_schema", False) else plain
    before = snapshot(db)
    with pytest.raises(InputValidationError) as info:
        engine.create_instance(target, **options)
    assert names(info.value, path), f"{case}: {info.value}"
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("case", "signal_type", "payload", "path"), SIGNALS, ids=[c[0] for c in SIGNALS]
)
def test_bad_signals(setup: Any, case: str, signal_type: Any, payload: Any, path: str) -> None:
    engine, db, (_, _, target) = setup
    before = snapshot(db)
    with pytest.raises(InputValidationError) as info:
        engine.send_signal(target.id, signal_type, payload)
    assert names(info.value, path), f"{case}: {info.value}"
    assert snapshot(db) == before


def test_every_problem_is_reported_at_once(setup: Any) -> None:
    engine, _, _ = setup
    body = {
        "name": "bad",
        "blocks": [
            {"type": "step", "id": "a", "handler": "", "timeout": -1},
            {"type": "step", "id": "a", "handler": "noop", "retry": {**RETRY, "max_attempts": 0}},
        ],
    }
    with pytest.raises(InputValidationError) as info:
        engine.upsert_sequence(body)
    assert {"blocks[0].handler", "blocks[0].timeout", "blocks[1].retry.max_attempts"} <= set(
        info.value.paths
    )
