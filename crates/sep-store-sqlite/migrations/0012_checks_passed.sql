-- When the automatic registry checks of an application last passed (SPEC R7, A3): an officer
-- may approve only after them; sending the application again clears it.

ALTER TABLE applications ADD COLUMN checks_passed_at INTEGER;
