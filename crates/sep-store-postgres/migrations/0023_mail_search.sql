-- The mailbox's full-text index: the terms `sep_core::mail::search::analyse` makes of each
-- message (subject, text, file names, sender and recipient), indexed as 'simple' (no stemming,
-- no stop words: the terms are stemmed already).
CREATE TABLE mail_search (
    letter_id UUID PRIMARY KEY REFERENCES mail_letters (id),
    -- Filing order, as SQLite's rowid: results come newest first by it on both engines.
    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    terms TEXT NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED
);
CREATE INDEX mail_search_tsv ON mail_search USING GIN (tsv);
