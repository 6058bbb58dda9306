-- The public leaderboard as last published: coarse figures, republished at most once a day and
-- only after several more cases closed (src/domain/public_record.rs).
CREATE TABLE leaderboard_snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    published_at TIMESTAMP NOT NULL,
    -- Cases closed (their votes counted) when it was published.
    closed_cases BIGINT NOT NULL,
    -- JSON: the ranked records.
    entries TEXT NOT NULL
);
