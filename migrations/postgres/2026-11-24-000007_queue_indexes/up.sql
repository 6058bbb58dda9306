-- The moderators' queues read only the rows they show, at any size of court.
-- Waiting cases by state, longest waiting first.
DROP INDEX cases_state;
CREATE INDEX cases_state ON cases(state, updated_at);
-- Stalled cases: each stage's deadline, by state.
CREATE INDEX cases_response_due ON cases(state, response_due_at);
CREATE INDEX cases_evidence_due ON cases(state, evidence_due_at);
CREATE INDEX cases_appeal_due ON cases(state, appeal_due_at);
-- Voting deadlines of rounds not decided yet.
CREATE INDEX jury_rounds_voting_due ON jury_rounds(voting_due_at) WHERE outcome IS NULL;
-- Split verdicts; the margin is SPLIT_MARGIN (src/domain/moderation.rs), and the query repeats
-- this condition word for word so that the planner can use the index.
CREATE INDEX jury_rounds_split ON jury_rounds(decided_at)
    WHERE decided_at IS NOT NULL AND buyer_votes - seller_votes BETWEEN -1 AND 1;
-- Statistics for the new indexes, so that the planner picks them.
ANALYZE;
