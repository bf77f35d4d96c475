-- Payment attempts (SPEC P2, P3): one live attempt per charge and one successful payment per
-- charge, by unique indexes, so nothing is paid twice whatever runs at once.
CREATE TABLE payments (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    uin TEXT NOT NULL,
    amount BIGINT NOT NULL,
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
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, request_key)
);
CREATE UNIQUE INDEX payments_live ON payments (uin) WHERE status IN ('created', 'pending');
CREATE UNIQUE INDEX payments_paid ON payments (uin) WHERE status = 'succeeded';
CREATE INDEX payments_user ON payments (user_id, created_at);
