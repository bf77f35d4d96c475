-- Integrations registered through /integration/register (#18) and the access tokens the token
-- endpoint issues them: the client's secret and every token as SHA-256 only; a key as its
-- public part (hex).
CREATE TABLE api_clients (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL REFERENCES users (id),
    acts_for TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    credential TEXT NOT NULL,
    scopes TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    mode TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
);
CREATE INDEX api_clients_owner ON api_clients (owner, created_at);
CREATE TABLE api_access_tokens (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL REFERENCES api_clients (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    grant_id TEXT,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
-- People's grants to clients (delegation) and the one-time secrets standing for them:
-- authorization codes and refresh tokens, as SHA-256, each taken once.
CREATE TABLE api_grants (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    client_id TEXT NOT NULL REFERENCES api_clients (id),
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX api_grants_user ON api_grants (user_id, created_at);
CREATE TABLE api_tickets (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    grant_id TEXT NOT NULL REFERENCES api_grants (id),
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    challenge TEXT NOT NULL,
    scopes TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
