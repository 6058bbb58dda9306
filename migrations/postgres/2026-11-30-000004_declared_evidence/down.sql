ALTER TABLE evidence DROP COLUMN proof;
