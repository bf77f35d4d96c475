-- Applications and their journal (SPEC A2, R7, R8). Field values are kept as typed, so a
-- draft never loses what the person entered, valid or not.

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    number TEXT UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    service TEXT NOT NULL,
    applicant_type TEXT NOT NULL CHECK (applicant_type IN ('person', 'ip', 'org')),
    status TEXT NOT NULL,
    data TEXT NOT NULL,
    consent_version TEXT,
    consent_at INTEGER,
    due_on TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    submitted_at INTEGER
);
CREATE INDEX applications_user ON applications (user_id, updated_at);

CREATE TABLE application_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id TEXT NOT NULL REFERENCES applications (id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    comment TEXT NOT NULL,
    reasons TEXT NOT NULL
);
CREATE INDEX application_events_app ON application_events (application_id, id);

CREATE TABLE application_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
