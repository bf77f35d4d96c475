-- «Связаться с оператором» (SPEC A2): the thread of messages between the applicant and the
-- agency on one application, each with an optional file kept in the file store.

CREATE TABLE application_messages (
    id BIGSERIAL PRIMARY KEY,
    application_id UUID NOT NULL REFERENCES applications (id),
    at TIMESTAMPTZ NOT NULL,
    author_id UUID NOT NULL REFERENCES users (id),
    author TEXT NOT NULL CHECK (author IN ('applicant', 'officer')),
    text TEXT NOT NULL,
    file_name TEXT,
    content_type TEXT,
    size BIGINT,
    sha256 TEXT
);
CREATE INDEX application_messages_app ON application_messages (application_id, id);
CREATE INDEX application_messages_sha256 ON application_messages (sha256);
