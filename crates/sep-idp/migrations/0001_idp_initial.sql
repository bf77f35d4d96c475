-- The Госуслуги emulator's own database (idp.db): accounts, organisations, login state,
-- outbox. Times are UTC microseconds since the Unix epoch; dates ISO text.

CREATE TABLE accounts (
    oid INTEGER PRIMARY KEY,
    level TEXT NOT NULL CHECK (level IN ('simplified', 'standard', 'confirmed')),
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    middle_name TEXT,
    birth_date TEXT,
    birth_place TEXT,
    gender TEXT CHECK (gender IN ('M', 'F')),
    snils TEXT UNIQUE,
    inn TEXT UNIQUE,
    phone TEXT NOT NULL UNIQUE,
    email TEXT UNIQUE COLLATE NOCASE,
    passport_series TEXT,
    passport_number TEXT,
    passport_issued_on TEXT,
    passport_issuer TEXT,
    passport_division_code TEXT,
    address TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE organisations (
    oid INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    inn TEXT NOT NULL UNIQUE,
    ogrn TEXT NOT NULL UNIQUE,
    kpp TEXT NOT NULL
);

CREATE TABLE memberships (
    org_oid INTEGER NOT NULL REFERENCES organisations (oid),
    account_oid INTEGER NOT NULL REFERENCES accounts (oid),
    position TEXT NOT NULL,
    chief INTEGER NOT NULL,
    admin INTEGER NOT NULL,
    PRIMARY KEY (org_oid, account_oid)
);

CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    locked_until INTEGER
);

CREATE TABLE login_txns (
    hash TEXT PRIMARY KEY,
    oid INTEGER NOT NULL REFERENCES accounts (oid),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    return_to TEXT NOT NULL,
    code_digest TEXT,
    code_expires_at INTEGER,
    code_tries_left INTEGER,
    code_spent INTEGER,
    codes_sent INTEGER NOT NULL,
    completed_at INTEGER
);

CREATE TABLE idp_sessions (
    hash TEXT PRIMARY KEY,
    oid INTEGER NOT NULL REFERENCES accounts (oid),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    amr TEXT NOT NULL,
    ended_at INTEGER
);

CREATE TABLE known_devices (
    oid INTEGER NOT NULL REFERENCES accounts (oid),
    device_hash TEXT NOT NULL,
    first_ip TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL,
    PRIMARY KEY (oid, device_hash)
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at INTEGER NOT NULL
);
