-- Signed messages and drafts (#17). A signature per part of a message — 0 its text, n its
-- n-th file — each a detached CMS over that part alone; a person's cloud key or an agency's
-- system key made it.
CREATE TABLE mail_signatures (
    letter_id UUID NOT NULL REFERENCES mail_letters (id),
    part INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('cloud', 'system')),
    hash TEXT NOT NULL,
    signer_subject TEXT NOT NULL,
    signer_issuer TEXT NOT NULL,
    signer_serial TEXT NOT NULL,
    signer_not_before TIMESTAMPTZ NOT NULL,
    signer_not_after TIMESTAMPTZ NOT NULL,
    signed_at TIMESTAMPTZ NOT NULL,
    der BYTEA NOT NULL,
    PRIMARY KEY (letter_id, part)
);

-- A message being written, kept as one types: only its author sees it, in the mailbox it will
-- be sent from; its files (already in the file store) as a JSON list; `to_number` what an
-- agency's officer typed for the recipient. Sending it leaves the row as a tombstone naming the
-- letter (emptied), so a second press or a late autosave cannot bring it back and send it again.
CREATE TABLE mail_drafts (
    id UUID PRIMARY KEY,
    box_kind TEXT NOT NULL,
    box_key TEXT NOT NULL,
    author_id UUID NOT NULL REFERENCES users (id),
    to_kind TEXT,
    to_key TEXT,
    to_name TEXT,
    to_number TEXT,
    reply_to UUID,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    files JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    letter_id UUID REFERENCES mail_letters (id)
);
CREATE INDEX mail_drafts_box ON mail_drafts (box_kind, box_key, author_id, updated_at);

-- An agency's officer writes to a person by СНИЛС.
CREATE INDEX users_snils ON users (snils);
