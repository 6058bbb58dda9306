-- The moderators' queues cost the same however long the court has run.
-- A verdict a moderator overruled no longer stands (an appealed one has `appealed_at`).
ALTER TABLE jury_rounds ADD COLUMN overruled_at TIMESTAMP;
UPDATE jury_rounds SET overruled_at = (SELECT o.created_at FROM overrides o WHERE o.case_id = jury_rounds.case_id)
    WHERE decided_at IS NOT NULL AND appealed_at IS NULL
      AND EXISTS (SELECT 1 FROM overrides o WHERE o.case_id = jury_rounds.case_id);
-- Split verdicts that still stand, so that they are counted from the index alone; the margin is
-- SPLIT_MARGIN (src/domain/moderation.rs), and the query repeats this condition word for word.
DROP INDEX jury_rounds_split;
CREATE INDEX jury_rounds_split ON jury_rounds(decided_at)
    WHERE decided_at IS NOT NULL AND appealed_at IS NULL AND overruled_at IS NULL
      AND buyer_votes - seller_votes BETWEEN -1 AND 1;
-- Voting that stopped without a verdict (escalated, withdrawn, settled) has no deadline left, so
-- the stalled-votes queue's index holds only rounds still being voted on.
UPDATE jury_rounds SET voting_due_at = NULL
    WHERE outcome IS NULL AND voting_due_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = jury_rounds.case_id AND c.state = 'voting'
                      AND c.round = jury_rounds.round);
-- Undeliverable mail, newest first, without walking every message ever sent (the query repeats
-- the condition word for word, so that the planner uses the index whatever its statistics say).
CREATE INDEX outbox_dead ON outbox(id) WHERE status = 'dead';
ANALYZE;
