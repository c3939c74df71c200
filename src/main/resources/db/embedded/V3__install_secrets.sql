-- stepgate embedded schema, version 3: secrets of the installation that never rotate (the key
-- that derives sign-in decoys for unknown usernames), the same on every restart.
CREATE TABLE install_secrets (
  name   TEXT PRIMARY KEY,
  secret BLOB NOT NULL
);
