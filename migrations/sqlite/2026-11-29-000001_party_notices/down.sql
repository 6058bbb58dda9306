DROP TABLE notifications;
ALTER TABLE evidence DROP COLUMN withdrawn_at;
