-- Applications and their journal (SPEC A2, R7, R8). Field values are kept as typed, so a
-- draft never loses what the person entered, valid or not.

CREATE TABLE applications (
    id UUID PRIMARY KEY,
    number TEXT UNIQUE,
    user_id UUID NOT NULL REFERENCES users (id),
    service TEXT NOT NULL,
    applicant_type TEXT NOT NULL CHECK (applicant_type IN ('person', 'ip', 'org')),
    status TEXT NOT NULL,
    data TEXT NOT NULL,
    consent_version TEXT,
    consent_at TIMESTAMPTZ,
    due_on DATE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ
);
CREATE INDEX applications_user ON applications (user_id, updated_at);

CREATE TABLE application_events (
    id BIGSERIAL PRIMARY KEY,
    application_id UUID NOT NULL REFERENCES applications (id),
    at TIMESTAMPTZ NOT NULL,
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
