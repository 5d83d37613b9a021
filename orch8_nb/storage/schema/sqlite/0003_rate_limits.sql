-- Rate limits per (tenant, resource key): a fixed window of max_count acquisitions.

CREATE TABLE rate_limits (
    tenant_id    TEXT NOT NULL,
    resource_key TEXT NOT NULL,
    max_count    INTEGER NOT NULL,
    window_ms    INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    used         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, resource_key)
) WITHOUT ROWID;
