-- stepgate Postgres schema, version 1: the same tables and meaning as db/embedded/V1__init.sql.
-- Times are nanoseconds since the epoch (UTC) in bigint, as in the embedded store: timestamptz
-- keeps microseconds only, and an Instant must come back exactly as it was stored.
CREATE TABLE users (
  id           text PRIMARY KEY,
  username     text NOT NULL UNIQUE,
  display_name text NOT NULL,
  created_at   bigint NOT NULL
);

-- A credential id is unique across all users: the primary key refuses a re-bind.
CREATE TABLE credentials (
  id              bytea PRIMARY KEY,
  user_id         text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  attested_data   bytea NOT NULL,
  sign_count      bigint NOT NULL CHECK (sign_count BETWEEN 0 AND 4294967295),
  uv_initialized  boolean NOT NULL,
  backup_eligible boolean NOT NULL,
  backup_state    boolean NOT NULL,
  transports      text[] NOT NULL,
  label           text NOT NULL,
  created_at      bigint NOT NULL,
  last_used_at    bigint,
  aaguid          uuid NOT NULL
);
CREATE INDEX credentials_by_user ON credentials(user_id, created_at);

-- Only the SHA-256 of an invite token is kept.
CREATE TABLE invites (
  token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  username   text NOT NULL,
  expires_at bigint NOT NULL,
  used_at    bigint
);

CREATE TABLE audit_events (
  seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      bigint NOT NULL,
  kind    text NOT NULL,
  user_id text,
  detail  text NOT NULL
);

CREATE TABLE signing_keys (
  kid         text PRIMARY KEY,
  private_jwk text NOT NULL,
  created_at  bigint NOT NULL,
  retired_at  bigint
);
