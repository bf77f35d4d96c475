-- "Восстановить связь аккаунтов": a returning user whose identifiers at the provider changed
-- confirms by a code sent to a contact both sides know.

CREATE TABLE relink_requests (
    hash TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    data TEXT NOT NULL,
    channel TEXT,
    destination TEXT,
    code_digest TEXT,
    code_expires_at TIMESTAMPTZ,
    code_tries_left INTEGER,
    code_spent BOOLEAN,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ
);
