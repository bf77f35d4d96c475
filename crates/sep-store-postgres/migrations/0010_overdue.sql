-- Delay notices (SPEC R7): when the applicant was told that an application passed its
-- expected date without a decision, so each delay is announced once.

ALTER TABLE applications ADD COLUMN overdue_noticed_at TIMESTAMPTZ;
CREATE INDEX applications_due ON applications (status, due_on);
