DROP TABLE leaderboard_snapshots;
