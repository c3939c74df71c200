-- stepgate Postgres schema, version 6: group membership (as db/embedded/V6__user_groups.sql).
CREATE TABLE user_groups (
  user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  group_name text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (user_id, group_name)
);

-- A change of membership is appended to the revocation record as kind 'groups' (it ends no
-- session). revocations_kind_check is the name Postgres gave V2's column constraint.
ALTER TABLE revocations DROP CONSTRAINT revocations_kind_check;
ALTER TABLE revocations ADD CONSTRAINT revocations_kind_check CHECK (kind IN ('credential', 'user', 'groups'));
