-- The personal account (SPEC P3): refunds of overpayments and balance alerts. The balance
-- itself is not stored: it is read from ГИС ГМП and the payments, less these refunds.
CREATE TABLE refunds (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    bic TEXT NOT NULL,
    account TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    request_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (user_id, request_key)
);
CREATE INDEX refunds_user ON refunds (user_id, created_at);

CREATE TABLE account_alerts (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    email INTEGER NOT NULL,
    sms INTEGER NOT NULL,
    threshold INTEGER,
    last_balance INTEGER
);
