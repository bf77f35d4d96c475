-- When each e-passport was last checked against МВД's register at its holder's login (#21):
-- at most once a day.
ALTER TABLE passports ADD COLUMN registry_checked_at TIMESTAMPTZ;
