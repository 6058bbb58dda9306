-- Each re-estimation of every juror's record from all judgements (Dawid–Skene EM), run on the
-- schedule REESTIMATE_HOURS sets: when it ran and what it counted.
CREATE TABLE reestimations (
    id SERIAL PRIMARY KEY,
    ran_at TIMESTAMP NOT NULL,
    jurors INTEGER NOT NULL,
    judgements INTEGER NOT NULL,
    iterations INTEGER NOT NULL
);
