-- Self-registration waiting for the SMS code that confirms the phone. `data` holds the typed
-- fields as JSON and the password only as its argon2id hash.

CREATE TABLE registration_txns (
    hash TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    phone TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    code_digest TEXT NOT NULL,
    code_expires_at INTEGER NOT NULL,
    code_tries_left INTEGER NOT NULL,
    code_spent INTEGER NOT NULL,
    completed_at INTEGER
);
CREATE INDEX registration_txns_phone ON registration_txns (phone, created_at);
