-- Billing schema: customers, invoices and their totals.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE SCHEMA IF NOT EXISTS billing;

CREATE TYPE billing.invoice_status AS ENUM ('draft', 'sent', 'paid');

CREATE TABLE billing.customers (
    id          BIGSERIAL PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE billing.invoices (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES billing.customers (id),
    issued_on    DATE NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    paid         BOOLEAN NOT NULL DEFAULT false
);

CREATE INDEX invoices_customer_idx ON billing.invoices (customer_id);

CREATE VIEW billing.unpaid_invoices AS
SELECT i.id, c.email, i.amount_cents
FROM billing.invoices AS i
JOIN billing.customers AS c ON c.id = i.customer_id
WHERE NOT i.paid;

CREATE FUNCTION billing.customer_balance(p_customer BIGINT)
RETURNS BIGINT
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(sum(amount_cents), 0)
    FROM billing.invoices
    WHERE customer_id = p_customer AND NOT paid;
$$;

CREATE OR REPLACE FUNCTION billing.mark_paid(p_invoice BIGINT, p_paid BOOLEAN DEFAULT true)
RETURNS void
LANGUAGE sql
AS $$
    UPDATE billing.invoices SET paid = p_paid WHERE id = p_invoice;
$$;

CREATE TRIGGER invoices_audit
AFTER UPDATE ON billing.invoices
FOR EACH ROW EXECUTE FUNCTION audit.log_change();

INSERT INTO billing.customers (email, name)
VALUES ('ada@example.com', 'Ada'), ('alan@example.com', 'Alan');

UPDATE billing.invoices SET paid = true WHERE issued_on < DATE '2024-01-01';
