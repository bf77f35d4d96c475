-- State fees of applications: the charge placed in ГИС ГМП for each (JSON), and whether a
-- rejected application's fee went back.
CREATE TABLE application_fees (
    application_id UUID PRIMARY KEY REFERENCES applications (id),
    user_id UUID NOT NULL REFERENCES users (id),
    uin TEXT NOT NULL UNIQUE,
    applicant_type TEXT NOT NULL,
    charge TEXT NOT NULL,
    refund TEXT NOT NULL DEFAULT 'none',
    refund_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
