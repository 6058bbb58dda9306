DROP TABLE reestimations;
