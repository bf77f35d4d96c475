-- «Связаться с оператором» in the mailbox (#17, one model of correspondence): an application's
-- thread is a conversation of mail whose id is the application's, filed in the applicant's and
-- the agency's mailboxes. The rows of application_messages are moved into mail by `sep` as it
-- starts (the agency's name is the catalogue's, not the database's); the table stays until a
-- later migration drops it.
ALTER TABLE mail_letters ADD COLUMN application_id TEXT REFERENCES applications (id);
CREATE INDEX mail_letters_application ON mail_letters (application_id, sent_at);
