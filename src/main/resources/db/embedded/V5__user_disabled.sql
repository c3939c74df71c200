-- stepgate embedded schema, version 5: a user can be disabled (stepgate users disable): they
-- cannot sign in, step up or add a passkey, and disabling ends their sessions through the
-- revocation record (kind 'user'). 0 = enabled, 1 = disabled.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
