-- A job whose transaction fails waits and is tried again instead of holding up every job behind
-- it; after too many failures it is set aside (dead_at) with its last error, for the moderators.
ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN last_error TEXT;
ALTER TABLE jobs ADD COLUMN dead_at TIMESTAMP;
