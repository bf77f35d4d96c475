-- Users, provider links, sessions, the audit journal and the job queue.
-- Same tables and columns as the SQLite tree (checked by the conformance suite).

CREATE TABLE users (
    id UUID PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('citizen', 'officer', 'admin')),
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    middle_name TEXT,
    birth_date DATE,
    birth_place TEXT,
    gender TEXT CHECK (gender IN ('M', 'F')),
    snils TEXT,
    inn TEXT,
    phone TEXT,
    email TEXT,
    passport_series TEXT,
    passport_number TEXT,
    passport_issued_on DATE,
    passport_issuer TEXT,
    passport_division_code TEXT,
    address TEXT,
    terms_version TEXT,
    terms_accepted_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE external_identities (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id),
    linked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX external_identities_user ON external_identities (user_id);

CREATE TABLE sessions (
    hash TEXT PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    auth_method TEXT NOT NULL,
    csrf_secret TEXT NOT NULL,
    ended_at TIMESTAMPTZ,
    end_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);

-- seq is assigned under an advisory lock, not by a sequence, so the journal has no gaps.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor UUID,
    subject UUID,
    action TEXT NOT NULL,
    object TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    ip TEXT,
    request_id TEXT,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_subject ON audit_events (subject, seq);
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    queue TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    max_attempts INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    locked_by TEXT,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX jobs_due ON jobs (queue, state, run_at);
