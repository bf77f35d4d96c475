-- Receipts (SPEC P2): an issued document may answer a payment. SQLite cannot change a CHECK in
-- place: the table is rebuilt again, as in 0014 (nothing references it).
CREATE TABLE issued_documents_new (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    check_code TEXT NOT NULL,
    application_id TEXT REFERENCES applications (id),
    order_id TEXT,
    payment_id TEXT,
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
    CHECK (application_id IS NOT NULL OR order_id IS NOT NULL OR payment_id IS NOT NULL)
);
INSERT INTO issued_documents_new (id, number, check_code, application_id, order_id, user_id, agency, issued_by, title,
    holder, file_name, content_type, size, sha256, issued_at, valid_until, annulled_at)
SELECT id, number, check_code, application_id, order_id, user_id, agency, issued_by, title,
    holder, file_name, content_type, size, sha256, issued_at, valid_until, annulled_at FROM issued_documents;
DROP TABLE issued_documents;
ALTER TABLE issued_documents_new RENAME TO issued_documents;
CREATE INDEX issued_documents_user ON issued_documents (user_id, issued_at);
CREATE INDEX issued_documents_application ON issued_documents (application_id, issued_at);
CREATE UNIQUE INDEX issued_documents_one_per_file ON issued_documents (application_id, sha256)
    WHERE annulled_at IS NULL AND application_id IS NOT NULL;
CREATE UNIQUE INDEX issued_documents_order ON issued_documents (order_id) WHERE order_id IS NOT NULL;
CREATE UNIQUE INDEX issued_documents_payment ON issued_documents (payment_id) WHERE payment_id IS NOT NULL;

ALTER TABLE payments ADD COLUMN receipt_id TEXT;
