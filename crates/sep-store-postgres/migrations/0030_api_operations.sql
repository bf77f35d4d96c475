-- Asynchronous operations of the API (#18): a bulk import with its input, progress and
-- result; one per owner and key (the same file again is the same operation).
CREATE TABLE api_operations (
    id UUID PRIMARY KEY,
    owner TEXT NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    params TEXT NOT NULL,
    input TEXT NOT NULL,
    state TEXT NOT NULL,
    total BIGINT NOT NULL,
    done BIGINT NOT NULL,
    result TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (owner, key)
);
