-- Officer review (SPEC A3): the officer in charge, the agency a staff member works for, the
-- registered mark set when «Регистрация в СЭП» completes (R7), and cabinet notifications (N2).

ALTER TABLE users ADD COLUMN registered_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN agency TEXT;
ALTER TABLE applications ADD COLUMN assignee UUID REFERENCES users (id);
CREATE INDEX applications_queue ON applications (service, status);

CREATE TABLE notices (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    at TIMESTAMPTZ NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    link TEXT NOT NULL,
    critical BOOLEAN NOT NULL,
    read_at TIMESTAMPTZ
);
CREATE INDEX notices_user ON notices (user_id, id);
