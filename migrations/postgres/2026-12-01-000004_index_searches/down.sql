DROP INDEX audit_log_actor;
DROP INDEX audit_log_action;
DROP INDEX jurors_status;
DROP INDEX jurors_most_experienced;
DROP INDEX users_role;
DROP INDEX juror_category_tallies_juror;
