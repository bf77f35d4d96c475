-- ЕСИА mode: the certificate a system signs its client_secret with, the states it used
-- (each request needs a new one), and the emulator's own keys (ГОСТ, RSA) for the tokens it signs.
CREATE TABLE esia_clients (
    client_id TEXT PRIMARY KEY REFERENCES oidc_clients (id) ON DELETE CASCADE,
    certificate BLOB NOT NULL,
    -- GOST3410_2012_256 or RS256: how the emulator signs this system's tokens.
    token_alg TEXT NOT NULL DEFAULT 'GOST3410_2012_256',
    created_at INTEGER NOT NULL
);

CREATE TABLE esia_states (
    client_id TEXT NOT NULL,
    state TEXT NOT NULL,
    used_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, state)
);

CREATE TABLE esia_key (
    alg TEXT PRIMARY KEY,
    private_key TEXT NOT NULL,
    certificate BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
