DROP TABLE audit_log;
DROP FUNCTION audit_log_is_append_only;
DROP TABLE calibration_audits;
DROP TABLE flags;
DROP TABLE overrides;
