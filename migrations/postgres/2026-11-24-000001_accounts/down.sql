DROP TABLE outbox;
DROP TABLE email_tokens;
DROP TABLE auth_sessions;
DROP TABLE users;
