-- TOTP codes are usable once: the last accepted time step is remembered per account.
ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER;
