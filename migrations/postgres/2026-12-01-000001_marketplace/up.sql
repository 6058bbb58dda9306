-- A marketplace that plugs the court in: its API keys (the key itself is kept only as a SHA-256
-- digest; the webhook secret signs deliveries, so it is kept as issued), the orders it registers,
-- and the answers to its POSTs by idempotency key.
CREATE TABLE api_keys (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL UNIQUE,
    webhook_url TEXT,
    webhook_secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE orders (
    id SERIAL PRIMARY KEY,
    api_key_id INTEGER NOT NULL REFERENCES api_keys(id),
    -- The marketplace's own order id (unique per marketplace).
    external_id TEXT NOT NULL,
    buyer_ref TEXT NOT NULL,
    buyer_email TEXT NOT NULL,
    buyer_name TEXT NOT NULL,
    seller_ref TEXT NOT NULL,
    seller_email TEXT NOT NULL,
    seller_name TEXT NOT NULL,
    item_title TEXT NOT NULL,
    category TEXT NOT NULL,
    price_fen BIGINT NOT NULL,
    currency TEXT NOT NULL,
    paid_at TIMESTAMP,
    shipped_at TIMESTAMP,
    delivered_at TIMESTAMP,
    carrier TEXT,
    tracking_number TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (api_key_id, external_id)
);
CREATE INDEX orders_buyer_email ON orders(buyer_email);
CREATE INDEX orders_seller_email ON orders(seller_email);

CREATE TABLE idempotency_keys (
    api_key_id INTEGER NOT NULL REFERENCES api_keys(id),
    idem_key TEXT NOT NULL,
    -- SHA-256 of the method, path and body: the same key with another request is a conflict.
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (api_key_id, idem_key)
);

-- A case filed on a registered order; a typed case filed while the court takes orders is marked
-- unverified for jurors and moderators.
ALTER TABLE cases ADD COLUMN order_id INTEGER REFERENCES orders(id);
ALTER TABLE cases ADD COLUMN order_unverified BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX cases_order ON cases(order_id) WHERE order_id IS NOT NULL;
-- What the marketplace reported doing about the final verdict: carried_out or failed.
ALTER TABLE cases ADD COLUMN remedy_report TEXT;
ALTER TABLE cases ADD COLUMN remedy_reference TEXT;
ALTER TABLE cases ADD COLUMN remedy_done_fen BIGINT;
ALTER TABLE cases ADD COLUMN remedy_reported_at TIMESTAMP;

-- The marketplace's own records (order, chat, delivery scan): no party can withdraw them.
ALTER TABLE evidence ADD COLUMN from_marketplace BOOLEAN NOT NULL DEFAULT FALSE;

-- A webhook delivery rides the mail outbox (same leases, retries, dead queue): its key, and the
-- endpoint in recipient_email.
ALTER TABLE outbox ADD COLUMN api_key_id INTEGER REFERENCES api_keys(id);
