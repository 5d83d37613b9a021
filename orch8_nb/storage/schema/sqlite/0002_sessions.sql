-- Sessions: groups of instances that share data, as in Orch8.

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    session_key TEXT NOT NULL,
    data        TEXT NOT NULL,
    state       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    UNIQUE (tenant_id, session_key)
);

CREATE INDEX ix_instances_session ON instances (session_id);
