-- stepgate embedded schema, version 4: account recovery. Recovery codes are kept only as keyed
-- hashes (HMAC-SHA256 under an install secret), recovery links only as SHA-256 of their token;
-- each is spent once (used_at). A passkey enrolled in a recovery session says so (via_recovery).
CREATE TABLE recovery_codes (
  code_hash  BLOB PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE INDEX recovery_codes_by_user ON recovery_codes(user_id);

CREATE TABLE recovery_links (
  token_hash BLOB PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);

ALTER TABLE credentials ADD COLUMN via_recovery INTEGER NOT NULL DEFAULT 0;
