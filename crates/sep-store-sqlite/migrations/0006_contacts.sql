-- Confirming the phone (SMS code) and e-mail (one-time link) typed in an application (SPEC R3).
-- One open confirmation per application and channel; a new one replaces it.

CREATE TABLE contact_confirmations (
    application_id TEXT NOT NULL REFERENCES applications (id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    value TEXT NOT NULL,
    code_digest TEXT NOT NULL,
    code_expires_at INTEGER NOT NULL,
    code_tries_left INTEGER NOT NULL,
    code_spent INTEGER NOT NULL,
    sent INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    confirmed_at INTEGER,
    PRIMARY KEY (application_id, channel)
);

-- The startup sweep asks, file by file, whether any attachment points to it.
CREATE INDEX attachments_sha256 ON attachments (sha256);
