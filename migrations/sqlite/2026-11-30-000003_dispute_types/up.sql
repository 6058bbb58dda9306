-- What the dispute is about, as each side and the classifier see it. The claimant chooses the type
-- when filing (NULL only for cases filed before the choice existed); the classifier's suggestion
-- and its calibrated confidence are kept beside it; the respondent may see it differently.
ALTER TABLE cases ADD COLUMN dispute_type TEXT;
ALTER TABLE cases ADD COLUMN triage_type TEXT;
ALTER TABLE cases ADD COLUMN triage_confidence REAL;
ALTER TABLE cases ADD COLUMN respondent_type TEXT;
