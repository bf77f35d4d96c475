-- "Восстановить связь аккаунтов": a returning user whose identifiers at the provider changed
-- confirms by a code sent to a contact both sides know.

CREATE TABLE relink_requests (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    data TEXT NOT NULL,
    channel TEXT,
    destination TEXT,
    code_digest TEXT,
    code_expires_at INTEGER,
    code_tries_left INTEGER,
    code_spent INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    completed_at INTEGER
);
