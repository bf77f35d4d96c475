-- The cloud signature and the signatures of documents (SPEC E1, E2): a person's certificates
-- with their sealed keys (one unrevoked at a time), the signings waiting for their SMS code,
-- and every signature kept with the document it covers.

CREATE TABLE signing_credentials (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    serial TEXT NOT NULL,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    certificate BLOB NOT NULL,
    key_id TEXT NOT NULL,
    key_blob BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    UNIQUE (issuer, serial)
);
CREATE UNIQUE INDEX signing_credentials_one_active ON signing_credentials (user_id) WHERE revoked_at IS NULL;

CREATE TABLE document_signatures (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    document TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    hash TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('cloud', 'uploaded', 'system')),
    signer_subject TEXT NOT NULL,
    signer_issuer TEXT NOT NULL,
    signer_serial TEXT NOT NULL,
    signer_not_before INTEGER NOT NULL,
    signer_not_after INTEGER NOT NULL,
    signed_at INTEGER NOT NULL,
    credential_id TEXT REFERENCES signing_credentials (id),
    verdict TEXT NOT NULL,
    der BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX document_signatures_user ON document_signatures (user_id, created_at);

CREATE TABLE sign_requests (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    credential_id TEXT NOT NULL REFERENCES signing_credentials (id),
    document TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    hash TEXT NOT NULL,
    code_digest TEXT NOT NULL,
    code_expires_at INTEGER NOT NULL,
    code_tries_left INTEGER NOT NULL,
    code_spent INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    signature_id TEXT REFERENCES document_signatures (id)
);
CREATE INDEX sign_requests_user ON sign_requests (user_id, created_at);

-- Documents the system issues (SPEC E3): the result of an application, signed by the agency's
-- system key (its signature is a row of document_signatures with source 'system'), with a
-- number and a check code for /verify/{number}?ck=….
CREATE TABLE document_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE issued_documents (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    check_code TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    agency TEXT NOT NULL,
    issued_by TEXT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    annulled_at INTEGER
);
CREATE INDEX issued_documents_user ON issued_documents (user_id, issued_at);
CREATE INDEX issued_documents_application ON issued_documents (application_id, issued_at);
-- One valid document a file per application: a second press issues nothing more.
CREATE UNIQUE INDEX issued_documents_one_per_file ON issued_documents (application_id, sha256) WHERE annulled_at IS NULL;

-- Versions of attached files (SPEC D2): a replaced file stays as an earlier version, pointing
-- to the one that replaced it; only current versions are part of the application.
ALTER TABLE attachments ADD COLUMN replaced_by TEXT;
