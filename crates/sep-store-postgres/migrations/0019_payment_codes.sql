-- The portal's SMS code for a card payment without 3-D Secure (seed 003): its digest, expiry,
-- tries and how many were sent, beside the payment.
CREATE TABLE payment_codes (
    payment_id UUID PRIMARY KEY REFERENCES payments (id),
    code_digest TEXT NOT NULL,
    code_expires_at TIMESTAMPTZ NOT NULL,
    code_tries_left INTEGER NOT NULL,
    code_spent BOOLEAN NOT NULL,
    sent INTEGER NOT NULL
);
