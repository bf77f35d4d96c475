-- Password recovery by a code sent to the account's phone or e-mail. `oid` is empty when
-- nobody has the typed identifier: the person sees the same pages either way.

CREATE TABLE recovery_txns (
    hash TEXT PRIMARY KEY,
    oid INTEGER REFERENCES accounts (oid),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    code_digest TEXT NOT NULL,
    code_expires_at INTEGER NOT NULL,
    code_tries_left INTEGER NOT NULL,
    code_spent INTEGER NOT NULL,
    completed_at INTEGER
);
CREATE INDEX recovery_txns_oid ON recovery_txns (oid, created_at);
