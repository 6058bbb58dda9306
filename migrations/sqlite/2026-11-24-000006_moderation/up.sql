-- A moderator's ruling that replaces the jury's: at most one per case. The jury's own verdict
-- stays in jury_rounds, so both can be shown side by side.
CREATE TABLE overrides (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id),
    moderator_id INTEGER NOT NULL REFERENCES users(id),
    outcome TEXT NOT NULL,
    remedy TEXT NOT NULL,
    amount_fen BIGINT,
    jury_outcome TEXT,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- A party or juror asks the moderators to look at a statement (evidence) or a juror's reason
-- (vote). The moderator's answer: hide it (kept for the audit, shown to nobody else) or keep it.
-- A moderator who hides something unflagged files the flag themselves.
CREATE TABLE flags (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    evidence_id INTEGER REFERENCES evidence(id),
    vote_id INTEGER REFERENCES votes(id),
    flagged_by INTEGER NOT NULL REFERENCES users(id),
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    resolution TEXT,
    resolved_by INTEGER REFERENCES users(id),
    resolved_at TIMESTAMP,
    CHECK ((evidence_id IS NULL) <> (vote_id IS NULL))
);
CREATE INDEX flags_case ON flags(case_id);
CREATE INDEX flags_open ON flags(resolved_at, created_at);

-- Calibration cases slipped into active jurors' queues; the answer counts as a judgement with
-- known truth.
CREATE TABLE calibration_audits (
    id INTEGER PRIMARY KEY NOT NULL,
    juror_id INTEGER NOT NULL REFERENCES jurors(user_id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    assigned_at TIMESTAMP NOT NULL,
    vote TEXT,
    reason TEXT,
    correct BOOLEAN,
    answered_at TIMESTAMP,
    UNIQUE (juror_id, case_id)
);

-- Every moderator and admin action: who, what, when, before and after, and why.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY NOT NULL,
    actor_id INTEGER NOT NULL REFERENCES users(id),
    action TEXT NOT NULL,
    case_id INTEGER REFERENCES cases(id),
    subject_id INTEGER REFERENCES users(id),
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_case ON audit_log(case_id);
CREATE INDEX audit_log_created ON audit_log(created_at);
-- The audit log is append-only, whatever the application does.
CREATE TRIGGER audit_log_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
CREATE TRIGGER audit_log_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
