-- Справки (SPEC S1, S2): orders, and issued documents that answer an order instead of an
-- application — made by the system, so with no officer — with their holder and expiry.
-- SQLite cannot drop NOT NULL in place: the table is rebuilt (nothing references it).
CREATE TABLE issued_documents_new (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    check_code TEXT NOT NULL,
    application_id TEXT REFERENCES applications (id),
    order_id TEXT,
    user_id TEXT NOT NULL REFERENCES users (id),
    agency TEXT NOT NULL,
    issued_by TEXT REFERENCES users (id),
    title TEXT NOT NULL,
    holder TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    valid_until INTEGER,
    annulled_at INTEGER,
    CHECK (application_id IS NOT NULL OR order_id IS NOT NULL)
);
INSERT INTO issued_documents_new (id, number, check_code, application_id, user_id, agency, issued_by, title,
    file_name, content_type, size, sha256, issued_at, annulled_at)
SELECT id, number, check_code, application_id, user_id, agency, issued_by, title,
    file_name, content_type, size, sha256, issued_at, annulled_at FROM issued_documents;
DROP TABLE issued_documents;
ALTER TABLE issued_documents_new RENAME TO issued_documents;
CREATE INDEX issued_documents_user ON issued_documents (user_id, issued_at);
CREATE INDEX issued_documents_application ON issued_documents (application_id, issued_at);
CREATE UNIQUE INDEX issued_documents_one_per_file ON issued_documents (application_id, sha256)
    WHERE annulled_at IS NULL AND application_id IS NOT NULL;
CREATE UNIQUE INDEX issued_documents_order ON issued_documents (order_id) WHERE order_id IS NOT NULL;

CREATE TABLE spravka_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE spravka_orders (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    period_from TEXT,
    period_to TEXT,
    purpose TEXT NOT NULL,
    email TEXT,
    post_address TEXT,
    request_key TEXT NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT,
    error_text TEXT,
    document_id TEXT,
    tracking TEXT,
    post_status TEXT,
    post_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (user_id, request_key)
);
CREATE INDEX spravka_orders_user ON spravka_orders (user_id, created_at);
CREATE INDEX spravka_orders_document ON spravka_orders (document_id);
