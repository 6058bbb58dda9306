ALTER TABLE cases ADD COLUMN escalation_reason TEXT;
-- Set by moderators on a case whose right outcome is known: used for probation and audits.
ALTER TABLE cases ADD COLUMN calibration_outcome TEXT;
CREATE INDEX cases_calibration ON cases(calibration_outcome);

CREATE TABLE jurors (
    user_id INTEGER PRIMARY KEY NOT NULL REFERENCES users(id),
    status TEXT NOT NULL,
    expertise INTEGER NOT NULL,
    interests TEXT NOT NULL,
    trading_side TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    probation_attempt INTEGER NOT NULL,
    probation_retry_at TIMESTAMP,
    passed_probation_at TIMESTAMP,
    status_reason TEXT,
    no_show_streak INTEGER NOT NULL,
    summons_answered INTEGER NOT NULL,
    summons_ignored INTEGER NOT NULL,
    buyer_right DOUBLE PRECISION NOT NULL,
    buyer_right_voted_buyer DOUBLE PRECISION NOT NULL,
    seller_right DOUBLE PRECISION NOT NULL,
    seller_right_voted_seller DOUBLE PRECISION NOT NULL,
    -- A copy of users.created_at: the draw reads the whole pool in one scan, without a join.
    account_created_at TIMESTAMP NOT NULL,
    joined_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Every change to a juror touches updated_at; the draw's pool cache reads what changed.
CREATE INDEX jurors_updated ON jurors(updated_at);

CREATE TABLE juror_category_tallies (
    juror_id INTEGER NOT NULL REFERENCES jurors(user_id),
    category TEXT NOT NULL,
    buyer_right DOUBLE PRECISION NOT NULL,
    buyer_right_voted_buyer DOUBLE PRECISION NOT NULL,
    seller_right DOUBLE PRECISION NOT NULL,
    seller_right_voted_seller DOUBLE PRECISION NOT NULL,
    -- Category first: a draw reads one category's records in one range.
    PRIMARY KEY (category, juror_id)
);

CREATE TABLE summons (
    id SERIAL PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    juror_id INTEGER NOT NULL REFERENCES jurors(user_id),
    round INTEGER NOT NULL,
    status TEXT NOT NULL,
    summoned_at TIMESTAMP NOT NULL,
    respond_by TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    UNIQUE (case_id, juror_id)
);
CREATE INDEX summons_juror ON summons(juror_id, summoned_at);
CREATE INDEX summons_recent ON summons(summoned_at);
CREATE INDEX summons_due ON summons(status, respond_by);

CREATE TABLE mock_reviews (
    id SERIAL PRIMARY KEY,
    juror_id INTEGER NOT NULL REFERENCES jurors(user_id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    attempt INTEGER NOT NULL,
    vote TEXT NOT NULL,
    reason TEXT NOT NULL,
    correct BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (juror_id, case_id)
);
