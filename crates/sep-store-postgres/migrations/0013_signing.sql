-- The cloud signature and the signatures of documents (SPEC E1, E2): a person's certificates
-- with their sealed keys (one unrevoked at a time), the signings waiting for their SMS code,
-- and every signature kept with the document it covers.

CREATE TABLE signing_credentials (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    serial TEXT NOT NULL,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    not_before TIMESTAMPTZ NOT NULL,
    not_after TIMESTAMPTZ NOT NULL,
    certificate BYTEA NOT NULL,
    key_id TEXT NOT NULL,
    key_blob BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    UNIQUE (issuer, serial)
);
CREATE UNIQUE INDEX signing_credentials_one_active ON signing_credentials (user_id) WHERE revoked_at IS NULL;

CREATE TABLE document_signatures (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    document TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    hash TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('cloud', 'uploaded', 'system')),
    signer_subject TEXT NOT NULL,
    signer_issuer TEXT NOT NULL,
    signer_serial TEXT NOT NULL,
    signer_not_before TIMESTAMPTZ NOT NULL,
    signer_not_after TIMESTAMPTZ NOT NULL,
    signed_at TIMESTAMPTZ NOT NULL,
    credential_id UUID REFERENCES signing_credentials (id),
    verdict TEXT NOT NULL,
    der BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX document_signatures_user ON document_signatures (user_id, created_at);

CREATE TABLE sign_requests (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    credential_id UUID NOT NULL REFERENCES signing_credentials (id),
    document TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    hash TEXT NOT NULL,
    code_digest TEXT NOT NULL,
    code_expires_at TIMESTAMPTZ NOT NULL,
    code_tries_left INTEGER NOT NULL,
    code_spent BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    signature_id UUID REFERENCES document_signatures (id)
);
CREATE INDEX sign_requests_user ON sign_requests (user_id, created_at);

-- Documents the system issues (SPEC E3): the result of an application, signed by the agency's
-- system key (its signature is a row of document_signatures with source 'system'), with a
-- number and a check code for /verify/{number}?ck=….
CREATE TABLE document_numbers (
    year INTEGER PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE issued_documents (
    id UUID PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    check_code TEXT NOT NULL,
    application_id UUID NOT NULL REFERENCES applications (id),
    user_id UUID NOT NULL REFERENCES users (id),
    agency TEXT NOT NULL,
    issued_by UUID NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    issued_at TIMESTAMPTZ NOT NULL,
    annulled_at TIMESTAMPTZ
);
CREATE INDEX issued_documents_user ON issued_documents (user_id, issued_at);
CREATE INDEX issued_documents_application ON issued_documents (application_id, issued_at);
-- One valid document a file per application: a second press issues nothing more.
CREATE UNIQUE INDEX issued_documents_one_per_file ON issued_documents (application_id, sha256) WHERE annulled_at IS NULL;

-- Versions of attached files (SPEC D2): a replaced file stays as an earlier version, pointing
-- to the one that replaced it; only current versions are part of the application.
ALTER TABLE attachments ADD COLUMN replaced_by UUID;
