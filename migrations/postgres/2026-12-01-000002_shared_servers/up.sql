-- Rate limits every server of a PostgreSQL court counts together: one GCRA "theoretical arrival
-- time" per limited key, in milliseconds since the epoch (src/db/models/rate_limit.rs).
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY NOT NULL,
    tat_ms BIGINT NOT NULL
);
CREATE INDEX rate_limits_by_tat ON rate_limits (tat_ms);

-- Facts every server of one court must agree on, checked at start (the secret key's fingerprint).
CREATE TABLE court_settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
