-- Personal access tokens (#18, seed 004 «Получить токен доступа в личном кабинете»): the
-- secret's SHA-256 only, the scopes as a space-separated list, a limited lifetime.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);
