-- Statements that walked a whole table for want of an index (tests/api/common/plans.rs).
-- A juror's own records, and a panel's in every vote's quorum check: the key leads by category.
CREATE INDEX juror_category_tallies_juror ON juror_category_tallies(juror_id);
-- The moderators, told of every escalated case, among all the court's accounts.
CREATE INDEX users_role ON users(role);
-- The moderators' juror list, most experienced first, read a page at a time.
CREATE INDEX jurors_most_experienced ON jurors((buyer_right + seller_right) DESC, user_id);
