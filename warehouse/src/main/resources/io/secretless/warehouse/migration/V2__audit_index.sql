-- Audit look-ups by credential and by agent move from two secondary indexes of audit_log, which
-- took an insert at a random place for every record (one dirty page per credential per group
-- commit), to two tables of (key, seq) that the writer fills in bulk behind the log (AuditIndex).
-- Records above audit_head.indexed_seq are found by a range scan of audit_log's primary key; a log
-- from before this migration is indexed when a node opens it.
DROP INDEX audit_log_credential;
DROP INDEX audit_log_agent;

CREATE TABLE audit_by_credential (
  credential_id VARCHAR(256) NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (credential_id, seq)
);

CREATE TABLE audit_by_agent (
  agent VARCHAR(128) NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (agent, seq)
);

ALTER TABLE audit_head ADD COLUMN indexed_seq BIGINT NOT NULL DEFAULT 0;
