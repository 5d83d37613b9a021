-- Recorded model answers (record/replay cassettes kept in the engine's database), keyed by
-- a hash of provider, model, parameters, messages and tools.

CREATE TABLE llm_cassette (
    key         TEXT PRIMARY KEY,
    provider    TEXT NOT NULL,
    model       TEXT NOT NULL,
    request     TEXT NOT NULL,
    response    TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
) WITHOUT ROWID;
