DROP INDEX jurors_most_experienced;
DROP INDEX users_role;
DROP INDEX juror_category_tallies_juror;
