-- stepgate Postgres schema, version 3: secrets of the installation that never rotate (the key
-- that derives sign-in decoys for unknown usernames), the same on every node (as
-- db/embedded/V3__install_secrets.sql).
CREATE TABLE install_secrets (
  name   text PRIMARY KEY,
  secret bytea NOT NULL
);
