ALTER TABLE users DROP COLUMN reminders_enabled;
