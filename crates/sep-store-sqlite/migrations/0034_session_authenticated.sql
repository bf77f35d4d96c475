-- When the person authenticated at the provider (the ID token's auth_time, on the portal's
-- clock): «Защита входа» opens the e-passport only after a recent login with a second factor.
ALTER TABLE sessions ADD COLUMN authenticated_at INTEGER;
