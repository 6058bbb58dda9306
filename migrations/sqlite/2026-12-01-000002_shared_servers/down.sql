DROP TABLE court_settings;
DROP TABLE rate_limits;
