-- The mailbox's full-text index: the terms `sep_core::mail::search::analyse` makes of each
-- message (subject, text, file names, sender and recipient), as FTS5 plain tokens.
CREATE VIRTUAL TABLE mail_search USING fts5(terms, letter_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 0');
