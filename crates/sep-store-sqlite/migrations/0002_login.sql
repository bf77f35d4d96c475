-- Logins in progress at the identity provider (state, nonce, PKCE verifier), and the ID
-- token of each session for RP-initiated logout.

CREATE TABLE login_requests (
    hash TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

ALTER TABLE sessions ADD COLUMN id_token TEXT;
