-- In-app notices: every case and juror message the court sends a member, beside the email.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    -- The outbox message's key: one notice per (event occurrence, recipient).
    message_key TEXT NOT NULL UNIQUE,
    -- The case it is about (public id), so reading that case marks it read.
    case_public_id TEXT,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, case_public_id) WHERE read_at IS NULL;
-- A party may withdraw their own evidence until the record freezes: kept for the audit, hidden from jurors.
ALTER TABLE evidence ADD COLUMN withdrawn_at TIMESTAMP;
