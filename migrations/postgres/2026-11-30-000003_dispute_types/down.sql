ALTER TABLE cases DROP COLUMN respondent_type;
ALTER TABLE cases DROP COLUMN triage_confidence;
ALTER TABLE cases DROP COLUMN triage_type;
ALTER TABLE cases DROP COLUMN dispute_type;
