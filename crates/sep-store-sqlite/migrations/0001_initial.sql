-- Users, provider links, sessions, the audit journal and the job queue.
-- Times are UTC microseconds since the Unix epoch; dates are ISO `YYYY-MM-DD` text.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('citizen', 'officer', 'admin')),
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    middle_name TEXT,
    birth_date TEXT,
    birth_place TEXT,
    gender TEXT CHECK (gender IN ('M', 'F')),
    snils TEXT,
    inn TEXT,
    phone TEXT,
    email TEXT,
    passport_series TEXT,
    passport_number TEXT,
    passport_issued_on TEXT,
    passport_issuer TEXT,
    passport_division_code TEXT,
    address TEXT,
    terms_version TEXT,
    terms_accepted_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE external_identities (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    linked_at INTEGER NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX external_identities_user ON external_identities (user_id);

CREATE TABLE sessions (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    auth_method TEXT NOT NULL,
    csrf_secret TEXT NOT NULL,
    ended_at INTEGER,
    end_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);

CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT,
    subject TEXT,
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
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    run_at INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    locked_by TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX jobs_due ON jobs (queue, state, run_at);
