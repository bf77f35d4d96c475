-- A person's notification and accessibility settings (SPEC C3, N2), as JSON; an empty
-- object means the defaults.

ALTER TABLE users ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
