-- Idempotency keys of the API's writes (#18): claimed before a write runs, its answer kept
-- for a repeat of the same request for 24 hours.
CREATE TABLE api_idempotency (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    status INTEGER,
    body TEXT,
    location TEXT,
    PRIMARY KEY (owner, key)
);
