-- orch8-nb SQLite schema, version 1.
-- Times are integer epoch milliseconds; JSON is stored as TEXT.

CREATE TABLE sequences (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    namespace   TEXT NOT NULL,
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    deprecated  INTEGER NOT NULL DEFAULT 0 CHECK (deprecated IN (0, 1)),
    status      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, namespace, name, version)
);

CREATE TABLE instances (
    id                 TEXT PRIMARY KEY,
    sequence_id        TEXT NOT NULL REFERENCES sequences (id),
    tenant_id          TEXT NOT NULL,
    namespace          TEXT NOT NULL,
    state              TEXT NOT NULL,
    next_fire_at       INTEGER,
    priority           INTEGER NOT NULL DEFAULT 1,
    timezone           TEXT NOT NULL DEFAULT 'UTC',
    metadata           TEXT NOT NULL DEFAULT '{}',
    context_data       TEXT NOT NULL DEFAULT '{}',
    context_config     TEXT NOT NULL DEFAULT '{}',
    context_audit      TEXT NOT NULL DEFAULT '[]',
    context_runtime    TEXT NOT NULL DEFAULT '{}',
    concurrency_key    TEXT,
    max_concurrency    INTEGER,
    idempotency_key    TEXT,
    session_id         TEXT,
    parent_instance_id TEXT,
    budget             TEXT,
    rev                INTEGER NOT NULL DEFAULT 0,
    lease_owner        TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_instances_idempotency ON instances (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX ix_instances_claim ON instances (priority DESC, next_fire_at)
    WHERE state = 'scheduled';
CREATE INDEX ix_instances_state ON instances (state);
CREATE INDEX ix_instances_concurrency ON instances (concurrency_key, state)
    WHERE concurrency_key IS NOT NULL;
CREATE INDEX ix_instances_sequence ON instances (sequence_id);
CREATE INDEX ix_instances_created ON instances (created_at, id);

CREATE TABLE execution_tree (
    id           TEXT PRIMARY KEY,
    instance_id  TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    block_id     TEXT NOT NULL,
    parent_id    TEXT,
    block_type   TEXT NOT NULL,
    branch_index INTEGER,
    position     INTEGER NOT NULL,
    state        TEXT NOT NULL,
    started_at   INTEGER,
    completed_at INTEGER
);
CREATE INDEX ix_tree_instance ON execution_tree (instance_id, position);

CREATE TABLE block_outputs (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL,
    instance_id TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    block_id    TEXT NOT NULL,
    output      TEXT,
    output_ref  TEXT,
    output_size INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX ix_outputs_instance ON block_outputs (instance_id, block_id, seq);

CREATE TABLE signal_inbox (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    instance_id  TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    signal_type  TEXT NOT NULL,
    payload      TEXT NOT NULL,
    delivered    INTEGER NOT NULL DEFAULT 0 CHECK (delivered IN (0, 1)),
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX ix_signals_pending ON signal_inbox (instance_id) WHERE delivered = 0;

CREATE TABLE worker_tasks (
    id                TEXT PRIMARY KEY,
    instance_id       TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    tenant_id         TEXT NOT NULL,
    block_id          TEXT NOT NULL,
    handler_name      TEXT NOT NULL,
    queue_name        TEXT,
    params            TEXT NOT NULL,
    context           TEXT NOT NULL,
    attempt           INTEGER NOT NULL,
    timeout_ms        INTEGER,
    state             TEXT NOT NULL,
    worker_id         TEXT,
    claimed_at        INTEGER,
    heartbeat_at      INTEGER,
    claim_epoch       INTEGER NOT NULL DEFAULT 0,
    resume_checkpoint TEXT,
    checkpoint_seq    INTEGER NOT NULL DEFAULT 0,
    completed_at      INTEGER,
    output            TEXT,
    error_message     TEXT,
    error_retryable   INTEGER,
    created_at        INTEGER NOT NULL
);
CREATE INDEX ix_worker_tasks_poll ON worker_tasks (handler_name, created_at)
    WHERE state = 'pending';
CREATE INDEX ix_worker_tasks_instance ON worker_tasks (instance_id);

CREATE TABLE instance_kv_state (
    instance_id TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (instance_id, key)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
    id              TEXT PRIMARY KEY,
    instance_id     TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    checkpoint_data TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX ix_checkpoints_instance ON checkpoints (instance_id, created_at);

-- Append-only; no foreign key so the history outlives deleted instances.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL,
    instance_id TEXT,
    tenant_id   TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    block_id    TEXT,
    details     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX ix_audit_instance ON audit_log (instance_id, seq);

-- Engines sharing this database: who holds which running instance, and are they alive.
CREATE TABLE engine_nodes (
    id           TEXT PRIMARY KEY,
    hostname     TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);
