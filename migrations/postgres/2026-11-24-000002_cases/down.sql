DROP TABLE jobs;
DROP TABLE evidence;
DROP TABLE settlement_offers;
DROP TABLE case_events;
DROP TABLE cases;
