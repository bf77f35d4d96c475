-- Linked bank cards of the personal account: the provider's token and the masked number only.
CREATE TABLE linked_cards (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    token TEXT NOT NULL UNIQUE,
    masked TEXT NOT NULL,
    expiry TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX linked_cards_user ON linked_cards (user_id, created_at);
