DROP INDEX outbox_dead;
DROP INDEX jury_rounds_split;
ALTER TABLE jury_rounds DROP COLUMN overruled_at;
CREATE INDEX jury_rounds_split ON jury_rounds(decided_at)
    WHERE decided_at IS NOT NULL AND buyer_votes - seller_votes BETWEEN -1 AND 1;
