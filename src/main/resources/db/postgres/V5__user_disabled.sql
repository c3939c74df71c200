-- stepgate Postgres schema, version 5: a user can be disabled (as
-- db/embedded/V5__user_disabled.sql).
ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false;
