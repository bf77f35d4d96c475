-- The registry of e-passports (#21): one record per approved application, at most one valid
-- per person, with its status history.
CREATE TABLE passport_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE passports (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    application_id TEXT NOT NULL UNIQUE REFERENCES applications (id),
    inn TEXT NOT NULL,
    passport_series TEXT NOT NULL,
    passport_number TEXT NOT NULL,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    middle_name TEXT,
    birth_date TEXT NOT NULL,
    birth_place TEXT NOT NULL,
    citizenship TEXT NOT NULL,
    photo_name TEXT NOT NULL,
    photo_type TEXT NOT NULL,
    photo_size INTEGER NOT NULL,
    photo_sha256 TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    valid_until INTEGER NOT NULL,
    status TEXT NOT NULL,
    code_es256 TEXT NOT NULL,
    code_gost TEXT NOT NULL
);
CREATE INDEX passports_user ON passports (user_id, issued_at);
CREATE UNIQUE INDEX passports_one_valid ON passports (user_id) WHERE status = 'valid';

CREATE TABLE passport_history (
    id TEXT PRIMARY KEY,
    passport_id TEXT NOT NULL REFERENCES passports (id),
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    by_user TEXT REFERENCES users (id),
    reason TEXT,
    comment TEXT NOT NULL
);
CREATE INDEX passport_history_of ON passport_history (passport_id, at);
