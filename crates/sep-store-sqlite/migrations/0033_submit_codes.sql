-- Sending an application confirmed by an SMS code (#21): a third kind of confirmation beside
-- the contacts' `sms` and `email`. SQLite changes a CHECK only by rebuilding the table.
CREATE TABLE contact_confirmations_new (
    application_id TEXT NOT NULL REFERENCES applications (id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'submit')),
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
INSERT INTO contact_confirmations_new
    SELECT application_id, channel, value, code_digest, code_expires_at, code_tries_left, code_spent, sent,
        created_at, confirmed_at
    FROM contact_confirmations;
DROP TABLE contact_confirmations;
ALTER TABLE contact_confirmations_new RENAME TO contact_confirmations;
