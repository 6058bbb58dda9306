-- Jobs set aside after too many failures, for the moderators' queue: few rows, found without
-- reading the whole table.
CREATE INDEX jobs_dead ON jobs(dead_at) WHERE dead_at IS NOT NULL;
