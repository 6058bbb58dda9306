DROP INDEX jury_rounds_split;
DROP INDEX jury_rounds_voting_due;
DROP INDEX cases_appeal_due;
DROP INDEX cases_evidence_due;
DROP INDEX cases_response_due;
DROP INDEX cases_state;
CREATE INDEX cases_state ON cases(state);
