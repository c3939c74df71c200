-- stepgate embedded schema, version 1. Times are nanoseconds since the epoch (UTC).
CREATE TABLE users (
  id           TEXT PRIMARY KEY,
  username     TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  created_at   INTEGER NOT NULL
);

-- A credential id is unique across all users: the primary key refuses a re-bind.
CREATE TABLE credentials (
  id              BLOB PRIMARY KEY,
  user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  attested_data   BLOB NOT NULL,
  sign_count      INTEGER NOT NULL,
  uv_initialized  INTEGER NOT NULL,
  backup_eligible INTEGER NOT NULL,
  backup_state    INTEGER NOT NULL,
  transports      TEXT NOT NULL,
  label           TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  last_used_at    INTEGER,
  aaguid          TEXT NOT NULL
);
CREATE INDEX credentials_by_user ON credentials(user_id, created_at);

-- Only the SHA-256 of an invite token is kept.
CREATE TABLE invites (
  token_hash BLOB PRIMARY KEY,
  username   TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);

CREATE TABLE audit_events (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  at      INTEGER NOT NULL,
  kind    TEXT NOT NULL,
  user_id TEXT,
  detail  TEXT NOT NULL
);

CREATE TABLE signing_keys (
  kid         TEXT PRIMARY KEY,
  private_jwk TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  retired_at  INTEGER
);
