-- stepgate Postgres schema, version 2: the store's own change record of revocations (the same
-- meaning as db/embedded/V2__revocations.sql). A revocation is appended in the transaction that
-- makes it, by whichever node or admin command makes it; gateways read it from the last sequence
-- number they saw. Appends take a transaction-scoped advisory lock first, so sequence numbers
-- become visible in the order they were drawn and a reader never skips one that commits late.
CREATE TABLE revocations (
  seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            bigint NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('credential', 'user')),
  user_id       text NOT NULL,
  credential_id bytea,
  CHECK ((kind = 'credential') = (credential_id IS NOT NULL))
);
CREATE INDEX revocations_by_time ON revocations(at);
