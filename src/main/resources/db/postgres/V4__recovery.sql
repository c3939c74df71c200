-- stepgate Postgres schema, version 4: account recovery (as db/embedded/V4__recovery.sql).
-- Recovery codes are kept only as keyed hashes (HMAC-SHA256 under an install secret), recovery
-- links only as SHA-256 of their token; each is spent once (used_at).
CREATE TABLE recovery_codes (
  code_hash  bytea PRIMARY KEY CHECK (length(code_hash) = 32),
  user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at bigint NOT NULL,
  used_at    bigint
);
CREATE INDEX recovery_codes_by_user ON recovery_codes(user_id);

CREATE TABLE recovery_links (
  token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at bigint NOT NULL,
  used_at    bigint
);

ALTER TABLE credentials ADD COLUMN via_recovery boolean NOT NULL DEFAULT false;
