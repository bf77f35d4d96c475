-- OIDC Core §3.1.2.1: a client may ask for a fresh login (`prompt=login`), a login no older
-- than `max_age` seconds, or none at all without asking the person (`prompt=none`).
ALTER TABLE auth_requests ADD COLUMN prompt TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_requests ADD COLUMN max_age INTEGER;
