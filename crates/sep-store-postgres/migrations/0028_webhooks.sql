-- Webhooks (#18, Standard Webhooks): a person's endpoints with their secret (kept as it is:
-- signing needs it) and the previous one during a rotation, one message per event and
-- endpoint, and the log of every attempt.
CREATE TABLE webhook_endpoints (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    failing_since TIMESTAMPTZ,
    disabled_at TIMESTAMPTZ,
    disabled_reason TEXT
);
CREATE INDEX webhook_endpoints_user ON webhook_endpoints (user_id, created_at);
CREATE TABLE webhook_messages (
    id TEXT PRIMARY KEY,
    endpoint_id UUID NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL
);
CREATE INDEX webhook_messages_endpoint ON webhook_messages (endpoint_id, created_at, id);
CREATE TABLE webhook_attempts (
    message_id TEXT NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    status INTEGER,
    response TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    error TEXT,
    PRIMARY KEY (message_id, n)
);
