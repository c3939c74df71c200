-- stepgate embedded schema, version 2: the store's own change record of revocations.
-- A revocation (of one passkey, or of every session of a user) is appended here in the same
-- transaction that makes it, by whichever process makes it (the gateway, or the admin CLI in
-- another process). Running gateways read it from the last sequence number they saw and end the
-- sessions it names. Rows older than the retention are pruned when a new one is appended.
CREATE TABLE revocations (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  at            INTEGER NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('credential', 'user')),
  user_id       TEXT NOT NULL,
  credential_id BLOB,
  CHECK ((kind = 'credential') = (credential_id IS NOT NULL))
);
CREATE INDEX revocations_by_time ON revocations(at);
