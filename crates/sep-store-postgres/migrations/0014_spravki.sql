-- Справки (SPEC S1, S2): orders, and issued documents that answer an order instead of an
-- application — made by the system, so with no officer — with their holder and expiry.
ALTER TABLE issued_documents ALTER COLUMN application_id DROP NOT NULL;
ALTER TABLE issued_documents ALTER COLUMN issued_by DROP NOT NULL;
ALTER TABLE issued_documents ADD COLUMN order_id UUID;
ALTER TABLE issued_documents ADD COLUMN holder TEXT NOT NULL DEFAULT '';
ALTER TABLE issued_documents ADD COLUMN valid_until TIMESTAMPTZ;
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_basis CHECK (application_id IS NOT NULL OR order_id IS NOT NULL);
CREATE UNIQUE INDEX issued_documents_order ON issued_documents (order_id) WHERE order_id IS NOT NULL;

CREATE TABLE spravka_numbers (
    year INTEGER PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE spravka_orders (
    id UUID PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    user_id UUID NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    period_from DATE,
    period_to DATE,
    purpose TEXT NOT NULL,
    email TEXT,
    post_address TEXT,
    request_key TEXT NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT,
    error_text TEXT,
    document_id UUID,
    tracking TEXT,
    post_status TEXT,
    post_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, request_key)
);
CREATE INDEX spravka_orders_user ON spravka_orders (user_id, created_at);
CREATE INDEX spravka_orders_document ON spravka_orders (document_id);
