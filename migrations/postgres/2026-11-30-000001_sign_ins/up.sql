-- Successful sign-ins: the device cookie and the address (both HMACs under the secret key) an
-- account used, so that a known device passes the per-account sign-in limit and a second account
-- of a party is kept off their jury. Rows older than 90 days no longer count (and go at the
-- account's next sign-in).
CREATE TABLE sign_ins (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    device_hash TEXT NOT NULL,
    -- NULL for loopback: behind a proxy on the same machine every visitor has that address.
    address_hash TEXT,
    signed_in_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_ins_user ON sign_ins(user_id, signed_in_at);
CREATE INDEX sign_ins_device ON sign_ins(device_hash);
CREATE INDEX sign_ins_address ON sign_ins(address_hash);
