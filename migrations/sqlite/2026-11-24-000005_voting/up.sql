-- The round the case is in (1, or 2 after an appeal), the verdict that stands, and until when
-- the losing side may appeal it.
ALTER TABLE cases ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cases ADD COLUMN outcome TEXT;
ALTER TABLE cases ADD COLUMN appeal_due_at TIMESTAMP;
-- Evidence added for an appeal is marked with its round, so the new panel sees what is new.
ALTER TABLE evidence ADD COLUMN round INTEGER NOT NULL DEFAULT 1;

-- One row per jury round: the policy it runs under (fixed when drawn), its deadline, its verdict.
CREATE TABLE jury_rounds (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    round INTEGER NOT NULL,
    policy TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    voting_due_at TIMESTAMP,
    -- Missing jurors are replaced once at the voting deadline; the second deadline escalates.
    replaced_missing BOOLEAN NOT NULL DEFAULT FALSE,
    outcome TEXT,
    buyer_votes INTEGER NOT NULL DEFAULT 0,
    seller_votes INTEGER NOT NULL DEFAULT 0,
    decided_at TIMESTAMP,
    appealed_by INTEGER REFERENCES users(id),
    appeal_reason TEXT,
    appealed_at TIMESTAMP,
    UNIQUE (case_id, round)
);

CREATE TABLE votes (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    round INTEGER NOT NULL,
    juror_id INTEGER NOT NULL REFERENCES jurors(user_id),
    side TEXT NOT NULL,
    reason TEXT NOT NULL,
    cast_at TIMESTAMP NOT NULL,
    -- One vote per juror per round, whatever the application does.
    UNIQUE (case_id, round, juror_id)
);
CREATE INDEX votes_juror ON votes(juror_id);
-- A vote, once cast, is never changed or removed.
CREATE TRIGGER votes_are_final_update BEFORE UPDATE ON votes
BEGIN SELECT RAISE(ABORT, 'votes cannot be changed'); END;
CREATE TRIGGER votes_are_final_delete BEFORE DELETE ON votes
BEGIN SELECT RAISE(ABORT, 'votes cannot be removed'); END;
