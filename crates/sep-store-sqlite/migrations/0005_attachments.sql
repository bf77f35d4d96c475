-- Files attached to applications (SPEC R5). The content lives in the file store under its
-- SHA-256; a row exists only for a file stored completely.

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    document TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_application ON attachments (application_id, created_at);
