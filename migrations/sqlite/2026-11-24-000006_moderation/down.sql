DROP TABLE audit_log;
DROP TABLE calibration_audits;
DROP TABLE flags;
DROP TABLE overrides;
