-- Statements that walked a whole table for want of an index (tests/api/common/plans.rs).
-- A juror's own records, and a panel's when the juror pool catches up before a draw: the key
-- leads by category.
CREATE INDEX juror_category_tallies_juror ON juror_category_tallies(juror_id);
-- The moderators, told of every escalated case, among all the court's accounts.
CREATE INDEX users_role ON users(role);
-- The moderators' juror list, most experienced first, read a page at a time: all of it, or one
-- standing (suspended, on probation…).
CREATE INDEX jurors_most_experienced ON jurors((buyer_right + seller_right) DESC, user_id);
CREATE INDEX jurors_status ON jurors(status, (buyer_right + seller_right) DESC, user_id);
-- The audit log by action and by who acted, newest first.
CREATE INDEX audit_log_action ON audit_log(action, id);
CREATE INDEX audit_log_actor ON audit_log(actor_id, id);
