-- Sending an application confirmed by an SMS code (#21): a third kind of confirmation beside
-- the contacts' `sms` and `email`.
ALTER TABLE contact_confirmations DROP CONSTRAINT contact_confirmations_channel_check;
ALTER TABLE contact_confirmations ADD CONSTRAINT contact_confirmations_channel_check
    CHECK (channel IN ('sms', 'email', 'submit'));
