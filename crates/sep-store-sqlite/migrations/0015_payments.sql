-- Payment attempts (SPEC P2, P3): one live attempt per charge and one successful payment per
-- charge, by unique indexes, so nothing is paid twice whatever runs at once.
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    uin TEXT NOT NULL,
    amount INTEGER NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    request_key TEXT NOT NULL,
    provider_id TEXT UNIQUE,
    confirmation_url TEXT,
    failure_code TEXT,
    failure_text TEXT,
    rrn TEXT,
    auth_code TEXT,
    card TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (user_id, request_key)
);
CREATE UNIQUE INDEX payments_live ON payments (uin) WHERE status IN ('created', 'pending');
CREATE UNIQUE INDEX payments_paid ON payments (uin) WHERE status = 'succeeded';
CREATE INDEX payments_user ON payments (user_id, created_at);
