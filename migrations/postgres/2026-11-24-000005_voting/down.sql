DROP TABLE votes;
DROP FUNCTION votes_are_final();
DROP TABLE jury_rounds;
ALTER TABLE evidence DROP COLUMN round;
ALTER TABLE cases DROP COLUMN appeal_due_at;
ALTER TABLE cases DROP COLUMN outcome;
ALTER TABLE cases DROP COLUMN round;
