"""A DuckDB copy of the engine's history, kept current by copying only what is new.

Why a copy, and why this way: DuckDB's Python wheel has no SQLite scanner, and the
extension cannot be downloaded offline (the PyPI build of it pins an old DuckDB). DuckDB's
CSV reader is built in and fast, so new rows travel SQLite -> CSV file -> DuckDB in bulk:
Python's C ``csv`` writer streams the rows out of a read-only connection, DuckDB reads the
file in parallel with fixed column types, and JSON details are parsed once, on the way
in, into typed columns. A refresh copies audit rows past the last ``seq`` it saw, the
instances whose ``updated_at`` moved, sequences not seen yet, and signals from the oldest
one not delivered last time; so it costs in proportion to what changed, and queries run
on columnar tables in memory.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from orch8_nb.analytics.source import Source, batches

#: Every DuckDB table of the copy, and how a CSV of new rows is typed.
RAW_AUDIT = {
    "seq": "BIGINT", "instance_id": "VARCHAR", "event_type": "VARCHAR",
    "from_state": "VARCHAR", "to_state": "VARCHAR", "block_id": "VARCHAR",
    "details": "VARCHAR", "created_at": "BIGINT",
}  # fmt: skip
RAW_INSTANCES = {
    "id": "VARCHAR", "sequence_id": "VARCHAR", "parent_instance_id": "VARCHAR",
    "state": "VARCHAR", "created_at": "BIGINT", "updated_at": "BIGINT", "metadata": "VARCHAR",
}  # fmt: skip
RAW_SEQUENCES = {
    "id": "VARCHAR", "name": "VARCHAR", "version": "INTEGER", "namespace": "VARCHAR",
    "created_at": "BIGINT",
}  # fmt: skip
RAW_SIGNALS = {
    "seq": "BIGINT", "instance_id": "VARCHAR", "signal_type": "VARCHAR", "payload": "VARCHAR",
    "delivered": "BOOLEAN", "created_at": "BIGINT", "delivered_at": "BIGINT",
}  # fmt: skip

SCHEMA = """
CREATE TABLE audit (seq BIGINT, instance_id VARCHAR, event_type VARCHAR, from_state VARCHAR,
    to_state VARCHAR, block_id VARCHAR, details JSON, created_at BIGINT);
CREATE TABLE step_attempts (seq BIGINT, instance_id VARCHAR, block_id VARCHAR,
    handler VARCHAR, attempt INTEGER, outcome VARCHAR, started_at BIGINT, ended_at BIGINT,
    duration_ms DOUBLE, error_class VARCHAR, error_message VARCHAR, input_tokens BIGINT,
    output_tokens BIGINT, total_tokens BIGINT, cost_microunits BIGINT);
CREATE TABLE transitions (seq BIGINT, instance_id VARCHAR, from_state VARCHAR,
    to_state VARCHAR, reason VARCHAR, created_at BIGINT);
CREATE TABLE llm_calls (seq BIGINT, instance_id VARCHAR, block_id VARCHAR, purpose VARCHAR,
    provider VARCHAR, model VARCHAR, ok BOOLEAN, cached BOOLEAN, input_tokens BIGINT,
    output_tokens BIGINT, total_tokens BIGINT, cost_microunits BIGINT, latency_ms DOUBLE,
    error_kind VARCHAR, created_at BIGINT);
CREATE TABLE variants (seq BIGINT, instance_id VARCHAR, block_id VARCHAR, variant VARCHAR,
    variant_index INTEGER, created_at BIGINT);
CREATE TABLE instance_rows (id VARCHAR PRIMARY KEY, sequence_id VARCHAR,
    parent_instance_id VARCHAR, state VARCHAR, created_at BIGINT, updated_at BIGINT,
    metadata JSON);
CREATE TABLE sequence_rows (id VARCHAR PRIMARY KEY, name VARCHAR, version INTEGER,
    namespace VARCHAR, created_at BIGINT);
CREATE TABLE signal_rows (seq BIGINT PRIMARY KEY, instance_id VARCHAR, signal_type VARCHAR,
    payload JSON, delivered BOOLEAN, created_at BIGINT, delivered_at BIGINT);
"""

#: Typed tables filled from new audit rows (``staged`` holds them), parsed once.
FROM_AUDIT = """
INSERT INTO audit SELECT seq, instance_id, event_type, from_state, to_state, block_id,
    details::JSON, created_at FROM staged;
INSERT INTO step_attempts SELECT seq, instance_id, block_id, details->>'handler',
    TRY_CAST(details->>'attempt' AS INTEGER), details->>'outcome',
    TRY_CAST(details->>'started_at' AS BIGINT), created_at,
    TRY_CAST(details->>'duration_ms' AS DOUBLE),
    coalesce(details->>'$.error.details.exception', details->>'$.error.code',
             details->>'$.error.kind'),
    details->>'$.error.message',
    TRY_CAST(details->>'$.usage.input_tokens' AS BIGINT),
    TRY_CAST(details->>'$.usage.output_tokens' AS BIGINT),
    TRY_CAST(details->>'$.usage.total_tokens' AS BIGINT),
    TRY_CAST(details->>'$.usage.cost_microunits' AS BIGINT)
  FROM staged WHERE event_type = 'step_attempt';
INSERT INTO transitions SELECT seq, instance_id, from_state, to_state,
    details->>'reason', created_at FROM staged WHERE event_type = 'state_transition';
INSERT INTO llm_calls SELECT seq, instance_id, block_id, details->>'purpose',
    details->>'provider', details->>'model', TRY_CAST(details->>'ok' AS BOOLEAN),
    coalesce(TRY_CAST(details->>'cached' AS BOOLEAN), false),
    TRY_CAST(details->>'input_tokens' AS BIGINT), TRY_CAST(details->>'output_tokens' AS BIGINT),
    TRY_CAST(details->>'total_tokens' AS BIGINT),
    TRY_CAST(details->>'cost_microunits' AS BIGINT),
    TRY_CAST(details->>'latency_ms' AS DOUBLE), details->>'kind', created_at
  FROM staged WHERE event_type = 'llm_call';
INSERT INTO variants SELECT seq, instance_id, block_id, details->>'variant',
    TRY_CAST(details->>'variant_index' AS INTEGER), created_at
  FROM staged WHERE event_type = 'variant_assigned';
"""

#: What users query: one view per question area (see docs/analytics.md).
VIEWS = """
CREATE VIEW sequences AS SELECT * FROM sequence_rows;
CREATE VIEW instances AS
  SELECT i.id, s.name AS sequence_name, s.version, i.state, i.parent_instance_id,
         i.created_at, i.updated_at, f.finished_at,
         f.finished_at - i.created_at AS duration_ms, i.metadata
  FROM instance_rows i
  LEFT JOIN sequence_rows s ON s.id = i.sequence_id
  LEFT JOIN (SELECT instance_id, max(created_at) AS finished_at FROM transitions
             WHERE to_state IN ('completed', 'failed', 'cancelled') GROUP BY instance_id) f
    ON f.instance_id = i.id;
CREATE VIEW steps AS
  SELECT instance_id, block_id, handler, attempt, outcome, started_at, ended_at, duration_ms,
         error_class, error_message, input_tokens, output_tokens, total_tokens,
         cost_microunits, seq
  FROM step_attempts;
CREATE VIEW signals AS SELECT * FROM signal_rows;
CREATE VIEW ab_assignments AS
  SELECT v.instance_id, v.block_id AS split, v.variant, v.variant_index, v.created_at AS assigned_at
  FROM variants v;
"""


@dataclass
class Cursors:
    """How far the copy has got in each source table."""

    audit_seq: int = 0
    instances_updated: int = -1
    sequences_created: int = -1
    #: The oldest signal not delivered at the last copy (signals change when delivered).
    signals_from: int = 0
    rows_copied: dict[str, int] = field(default_factory=dict)


class Mirror:
    """The DuckDB side: tables, views, and the incremental copy into them."""

    def __init__(self, duck: Any, source: Source) -> None:
        self.duck = duck
        self.source = source
        self.cursors = Cursors()
        for statement in _statements(SCHEMA + VIEWS):
            duck.execute(statement)

    def refresh(self) -> dict[str, int]:
        """Copy what changed since the last refresh; returns the rows copied per table."""
        copied = self.source.read(self._export)
        self._load(copied)
        return {name: n for name, (_, n) in copied.items()}

    # -- SQLite side (runs inside one read snapshot) ---------------------------------------

    def _export(self, conn: sqlite3.Connection) -> dict[str, tuple[str | None, int]]:
        c = self.cursors
        return {
            "audit": _to_csv(conn.execute(
                "SELECT seq, instance_id, event_type, from_state, to_state, block_id, details, "
                "created_at FROM audit_log WHERE seq > ? ORDER BY seq", (c.audit_seq,))),
            "instances": _to_csv(conn.execute(
                "SELECT id, sequence_id, parent_instance_id, state, created_at, updated_at, "
                "metadata FROM instances WHERE updated_at >= ?", (c.instances_updated,))),
            "sequences": _to_csv(conn.execute(
                "SELECT id, name, version, namespace, created_at FROM sequences "
                "WHERE created_at >= ?", (c.sequences_created,))),
            "signals": _to_csv(conn.execute(
                "SELECT seq, instance_id, signal_type, payload, delivered, created_at, "
                "delivered_at FROM signal_inbox WHERE seq >= ?", (c.signals_from,))),
        }  # fmt: skip

    # -- DuckDB side -----------------------------------------------------------------------

    def _load(self, copied: dict[str, tuple[str | None, int]]) -> None:
        duck = self.duck
        try:
            path, n = copied["audit"]
            if path is not None:
                _stage(duck, path, RAW_AUDIT)
                for statement in _statements(FROM_AUDIT):
                    duck.execute(statement)
                self.cursors.audit_seq = duck.execute("SELECT max(seq) FROM staged").fetchone()[0]
            path, _ = copied["instances"]
            if path is not None:
                _stage(duck, path, RAW_INSTANCES)
                duck.execute("DELETE FROM instance_rows WHERE id IN (SELECT id FROM staged)")
                duck.execute(
                    "INSERT INTO instance_rows SELECT id, sequence_id, parent_instance_id, "
                    "state, created_at, updated_at, metadata::JSON FROM staged"
                )
                self.cursors.instances_updated = duck.execute(
                    "SELECT max(updated_at) FROM staged"
                ).fetchone()[0]
            path, _ = copied["sequences"]
            if path is not None:
                _stage(duck, path, RAW_SEQUENCES)
                duck.execute("INSERT OR REPLACE INTO sequence_rows SELECT * FROM staged")
                self.cursors.sequences_created = duck.execute(
                    "SELECT max(created_at) FROM staged"
                ).fetchone()[0]
            path, _ = copied["signals"]
            if path is not None:
                _stage(duck, path, RAW_SIGNALS)
                duck.execute("DELETE FROM signal_rows WHERE seq >= ?", [self.cursors.signals_from])
                duck.execute(
                    "INSERT INTO signal_rows SELECT seq, instance_id, signal_type, "
                    "payload::JSON, delivered, created_at, delivered_at FROM staged"
                )
                pending, last = duck.execute(
                    "SELECT min(seq) FILTER (WHERE NOT delivered), max(seq) FROM staged"
                ).fetchone()
                self.cursors.signals_from = pending if pending is not None else last + 1
        finally:
            duck.execute("DROP TABLE IF EXISTS staged")
            for path, _ in copied.values():
                if path is not None:
                    os.unlink(path)
        for name, (_, n) in copied.items():
            self.cursors.rows_copied[name] = self.cursors.rows_copied.get(name, 0) + n

    def load_metric(self, block_id: str, path: list[str]) -> int:
        """Temp table ``metric (instance_id, value)``: the number at ``path`` in the latest
        output of ``block_id`` per instance (outputs are not copied otherwise: they can be
        large, and only a question about one of them needs them). Returns the rows read."""
        csv_path, n = self.source.read(lambda c: _to_csv(c.execute(
            "SELECT seq, instance_id, output FROM block_outputs WHERE block_id = ? "
            "AND output_ref IS NULL", (block_id,))))  # fmt: skip
        duck = self.duck
        duck.execute("CREATE OR REPLACE TEMP TABLE metric (instance_id VARCHAR, value DOUBLE)")
        if csv_path is None:
            return 0
        json_path = "$" + "".join(f".{json.dumps(key)}" for key in path)
        try:
            _stage(duck, csv_path, {"seq": "BIGINT", "instance_id": "VARCHAR", "output": "VARCHAR"})
            duck.execute(
                "INSERT INTO metric SELECT instance_id, arg_max(TRY_CAST(json_extract("
                "output::JSON, ?) AS DOUBLE), seq) FROM staged GROUP BY instance_id",
                [json_path],
            )
        finally:
            duck.execute("DROP TABLE IF EXISTS staged")
            os.unlink(csv_path)
        return n


def _to_csv(cursor: sqlite3.Cursor) -> tuple[str | None, int]:
    """The cursor's rows in a temporary CSV file (``None`` when there are none)."""
    count = 0
    fd, path = tempfile.mkstemp(prefix="orch8-analytics-", suffix=".csv")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for rows in batches(cursor):
            writer.writerows(_marked(rows))
            count += len(rows)
    if count == 0:
        os.unlink(path)
        return None, 0
    return path, count


#: How a NULL travels through the CSV file (an empty field would be an empty string).
NULL = "\\N"


def _marked(rows: Iterable[tuple[Any, ...]]) -> Iterable[tuple[Any, ...]]:
    return (tuple(NULL if v is None else v for v in row) for row in rows)


def _stage(duck: Any, path: str, columns: dict[str, str]) -> None:
    duck.execute("DROP TABLE IF EXISTS staged")
    duck.execute(
        "CREATE TEMP TABLE staged AS SELECT * FROM read_csv(?, header = false, "
        "columns = ?, quote = '\"', escape = '\"', nullstr = ?, auto_detect = false, "
        "strict_mode = false)",
        [path, columns, NULL],
    )


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
