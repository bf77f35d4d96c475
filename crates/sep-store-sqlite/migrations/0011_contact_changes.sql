-- Changing the phone or e-mail of the profile (SPEC C3): the new value waits here with its
-- code (SMS) or link token (e-mail) until confirmed; one pending change per channel.

CREATE TABLE contact_changes (
    user_id TEXT NOT NULL REFERENCES users (id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    value TEXT NOT NULL,
    code_digest TEXT NOT NULL,
    code_expires_at INTEGER NOT NULL,
    code_tries_left INTEGER NOT NULL,
    code_spent INTEGER NOT NULL,
    sent INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    confirmed_at INTEGER,
    PRIMARY KEY (user_id, channel)
);
