DROP TABLE mock_reviews;
DROP TABLE summons;
DROP TABLE juror_category_tallies;
DROP TABLE jurors;
DROP INDEX cases_calibration;
ALTER TABLE cases DROP COLUMN calibration_outcome;
ALTER TABLE cases DROP COLUMN escalation_reason;
