-- The organisations a person works for, as Госуслуги said at their last login (usr_org),
-- and the organisation a справка was ordered for.
CREATE TABLE user_orgs (
    user_id UUID NOT NULL REFERENCES users (id),
    org_oid TEXT NOT NULL,
    full_name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    inn TEXT NOT NULL,
    ogrn TEXT NOT NULL,
    kpp TEXT,
    position TEXT NOT NULL,
    chief BOOLEAN NOT NULL,
    admin BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, org_oid)
);

ALTER TABLE spravka_orders ADD COLUMN org_full_name TEXT;
ALTER TABLE spravka_orders ADD COLUMN org_short_name TEXT;
ALTER TABLE spravka_orders ADD COLUMN org_inn TEXT;
ALTER TABLE spravka_orders ADD COLUMN org_ogrn TEXT;
ALTER TABLE spravka_orders ADD COLUMN org_kpp TEXT;
