-- One schema for SQLite and PostgreSQL: portable types only; ids and sequence numbers are assigned
-- by the application, binary values are base64 text.
CREATE TABLE agents (
  id VARCHAR(128) PRIMARY KEY,
  roles VARCHAR(1024) NOT NULL,
  secret_hash VARCHAR(512) NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE credentials (
  id VARCHAR(64) PRIMARY KEY,
  name VARCHAR(256) NOT NULL UNIQUE,
  type VARCHAR(128),
  tags VARCHAR(2048) NOT NULL,
  owner VARCHAR(128) NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  expires_at BIGINT,
  rotation_days INTEGER NOT NULL,
  version INTEGER NOT NULL,
  access_count BIGINT NOT NULL,
  last_access BIGINT
);

CREATE TABLE credential_versions (
  credential_id VARCHAR(64) NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  ciphertext TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (credential_id, version)
);

CREATE TABLE grants (
  credential_id VARCHAR(64) NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
  grantee VARCHAR(200) NOT NULL,
  permissions VARCHAR(256) NOT NULL,
  granted_by VARCHAR(128) NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (credential_id, grantee)
);

CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at_millis BIGINT NOT NULL,
  agent VARCHAR(128) NOT NULL,
  action VARCHAR(64) NOT NULL,
  credential_id VARCHAR(256) NOT NULL,
  outcome VARCHAR(32) NOT NULL,
  reason VARCHAR(1024) NOT NULL,
  source VARCHAR(128) NOT NULL,
  user_agent VARCHAR(512) NOT NULL,
  prev_hash VARCHAR(64) NOT NULL,
  hash VARCHAR(64) NOT NULL
);
CREATE INDEX audit_log_credential ON audit_log (credential_id);
CREATE INDEX audit_log_agent ON audit_log (agent);

-- The chain head: appends lock this row, so concurrent writers (also across processes) serialize.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash VARCHAR(64) NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE key_material (
  name VARCHAR(64) PRIMARY KEY,
  material TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
