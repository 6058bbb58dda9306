-- The same tables as on PostgreSQL, where several servers share a court. A SQLite court is one
-- server (src/court_lock.rs): its rate limits are counted in memory and these stay empty.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY NOT NULL,
    tat_ms BIGINT NOT NULL
);
CREATE INDEX rate_limits_by_tat ON rate_limits (tat_ms);

CREATE TABLE court_settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
