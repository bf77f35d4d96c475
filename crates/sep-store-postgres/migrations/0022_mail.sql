-- «Электронный ящик»: a message written once (with its files), filed in the sender's and the
-- recipient's mailboxes with each one's read and archive marks; the counterparties lists.
CREATE TABLE mail_letters (
    id UUID PRIMARY KEY,
    conversation_id UUID NOT NULL,
    from_kind TEXT NOT NULL,
    from_key TEXT NOT NULL,
    from_name TEXT NOT NULL,
    to_kind TEXT NOT NULL,
    to_key TEXT NOT NULL,
    to_name TEXT NOT NULL,
    author_id UUID NOT NULL REFERENCES users (id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ
);
CREATE INDEX mail_letters_conversation ON mail_letters (conversation_id, sent_at);
CREATE INDEX mail_letters_author ON mail_letters (author_id, sent_at);

CREATE TABLE mail_files (
    letter_id UUID NOT NULL REFERENCES mail_letters (id),
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (letter_id, idx)
);
CREATE INDEX mail_files_sha256 ON mail_files (sha256);

CREATE TABLE mail_boxes (
    box_kind TEXT NOT NULL,
    box_key TEXT NOT NULL,
    letter_id UUID NOT NULL REFERENCES mail_letters (id),
    conversation_id UUID NOT NULL,
    incoming BOOLEAN NOT NULL,
    is_read BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (box_kind, box_key, letter_id)
);
CREATE INDEX mail_boxes_conversation ON mail_boxes (box_kind, box_key, conversation_id);
CREATE INDEX mail_boxes_unread ON mail_boxes (box_kind, box_key, incoming, is_read, archived);
-- A folder's newest conversations without reading the mailbox's other rows.
CREATE INDEX mail_boxes_folder ON mail_boxes (box_kind, box_key, incoming, archived, conversation_id, sent_at);

CREATE TABLE mail_counterparties (
    user_id UUID NOT NULL REFERENCES users (id),
    inn TEXT NOT NULL,
    ogrn TEXT NOT NULL,
    name TEXT NOT NULL,
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, inn)
);

-- Each mailbox's conversations as its folders list them, kept with every change, so a folder
-- page reads its page of rows however large the mailbox: the first message's subject, the
-- other side as the newest message names it, the newest times that put it in «Входящие» and
-- «Отправленные» (NULL when nothing does), whether it is archived, how many it holds and unread.
CREATE TABLE mail_threads (
    box_kind TEXT NOT NULL,
    box_key TEXT NOT NULL,
    conversation_id UUID NOT NULL,
    subject TEXT NOT NULL,
    with_name TEXT NOT NULL,
    last_at TIMESTAMPTZ NOT NULL,
    inbox_at TIMESTAMPTZ,
    sent_last_at TIMESTAMPTZ,
    archived BOOLEAN NOT NULL,
    total BIGINT NOT NULL,
    unread BIGINT NOT NULL,
    PRIMARY KEY (box_kind, box_key, conversation_id)
);
CREATE INDEX mail_threads_inbox ON mail_threads (box_kind, box_key, inbox_at);
CREATE INDEX mail_threads_sent ON mail_threads (box_kind, box_key, sent_last_at);
CREATE INDEX mail_threads_archive ON mail_threads (box_kind, box_key, archived, last_at);
