-- Receipts (SPEC P2): an issued document may answer a payment.
ALTER TABLE issued_documents ADD COLUMN payment_id UUID;
ALTER TABLE issued_documents DROP CONSTRAINT issued_documents_basis;
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_basis
    CHECK (application_id IS NOT NULL OR order_id IS NOT NULL OR payment_id IS NOT NULL);
CREATE UNIQUE INDEX issued_documents_payment ON issued_documents (payment_id) WHERE payment_id IS NOT NULL;

ALTER TABLE payments ADD COLUMN receipt_id UUID;
