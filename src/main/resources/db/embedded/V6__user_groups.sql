-- stepgate embedded schema, version 6: group membership (stepgate users add-group|remove-group),
-- read by allow rules and stamped into the assertion's groups claim (SPEC sections 3 and 6).
-- Names follow dev.stepgate.GroupNames; at most GroupNames.MAX_PER_USER per user.
CREATE TABLE user_groups (
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  group_name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, group_name)
);

-- A change of membership is appended to the revocation record as kind 'groups' (it ends no
-- session; running gateways drop what they cached of the user's groups). SQLite cannot alter a
-- CHECK constraint, so the table is rebuilt with the same rows and sequence numbers.
CREATE TABLE revocations_v6 (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  at            INTEGER NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('credential', 'user', 'groups')),
  user_id       TEXT NOT NULL,
  credential_id BLOB,
  CHECK ((kind = 'credential') = (credential_id IS NOT NULL))
);
INSERT INTO revocations_v6 (seq, at, kind, user_id, credential_id)
  SELECT seq, at, kind, user_id, credential_id FROM revocations ORDER BY seq;
-- Numbers drawn before stay drawn (a gateway that saw one must never see it again for another entry).
DELETE FROM sqlite_sequence WHERE name = 'revocations_v6';
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'revocations_v6', MAX(s) FROM (
    SELECT seq AS s FROM sqlite_sequence WHERE name = 'revocations'
    UNION ALL SELECT COALESCE(MAX(seq), 0) FROM revocations_v6);
DROP TABLE revocations;
ALTER TABLE revocations_v6 RENAME TO revocations;
CREATE INDEX revocations_by_time ON revocations(at);
