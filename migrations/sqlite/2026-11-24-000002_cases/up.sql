CREATE TABLE cases (
    id INTEGER PRIMARY KEY NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    submission_key TEXT NOT NULL UNIQUE,
    claimant_id INTEGER NOT NULL REFERENCES users(id),
    claimant_side TEXT NOT NULL,
    respondent_id INTEGER REFERENCES users(id),
    respondent_email TEXT NOT NULL,
    order_ref TEXT NOT NULL,
    item_title TEXT NOT NULL,
    category TEXT NOT NULL,
    price_fen BIGINT NOT NULL,
    disputed_fen BIGINT NOT NULL,
    currency TEXT NOT NULL,
    claim_statement TEXT NOT NULL,
    remedy TEXT NOT NULL,
    remedy_fen BIGINT,
    answer_statement TEXT,
    answer_remedy TEXT,
    answer_remedy_fen BIGINT,
    answered_at TIMESTAMP,
    state TEXT NOT NULL,
    response_due_at TIMESTAMP,
    evidence_due_at TIMESTAMP,
    evidence_hours INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE INDEX cases_claimant ON cases(claimant_id, updated_at);
CREATE INDEX cases_respondent ON cases(respondent_id, updated_at);
CREATE INDEX cases_respondent_email ON cases(respondent_email);
CREATE INDEX cases_state ON cases(state);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, seq)
);

CREATE TABLE settlement_offers (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    proposer_id INTEGER NOT NULL REFERENCES users(id),
    remedy TEXT NOT NULL,
    remedy_fen BIGINT,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX settlement_offers_case ON settlement_offers(case_id, status);

CREATE TABLE evidence (
    id INTEGER PRIMARY KEY NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    submitted_by INTEGER NOT NULL REFERENCES users(id),
    party_side TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT,
    file_name TEXT,
    content_type TEXT,
    size_bytes BIGINT,
    sha256 TEXT,
    storage_name TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX evidence_case ON evidence(case_id, created_at);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    run_at TIMESTAMP NOT NULL,
    done_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (kind, case_id, run_at)
);
CREATE INDEX jobs_due ON jobs(done_at, run_at);
