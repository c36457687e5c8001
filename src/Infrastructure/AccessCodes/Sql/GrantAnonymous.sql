-- One claim transaction for a batch of claims of ONE code without client references (the common case):
-- no idempotency to resolve, so claim i (from 1) is granted when i <= k. About 1.7x cheaper for PostgreSQL
-- than GrantWithReferences.sql (pgbench, one claim per statement, 16 clients).
-- $1 code, $2 session ids (one per claim, in arrival order), $3 now.
-- The UPDATE computes the grant from its own target row for the reason given in GrantWithReferences.sql
-- and docs/decisions/005: the constraint check runs on a candidate built from the snapshot's version, which
-- may be older than the version locked below.
WITH code AS (
    -- Row lock on the code: see GrantWithReferences.sql (NOWAIT: the batch backs off instead of queueing).
    SELECT id, is_active, expires_at, usage_count, max_usage_count
    FROM access_codes
    WHERE code = $1
    FOR UPDATE NOWAIT
), counted AS (
    UPDATE access_codes a
    SET usage_count = a.usage_count + LEAST(cardinality($2::uuid[]), a.max_usage_count - a.usage_count), updated_at = $3
    FROM code
    WHERE a.id = code.id
      AND code.is_active AND (code.expires_at IS NULL OR code.expires_at > $3)
      AND code.usage_count < code.max_usage_count
      -- (conditions on the locked version, never on a's own columns: see GrantWithReferences.sql)
    RETURNING a.usage_count
), seats AS (
    -- What the UPDATE granted: its new usage minus the locked version's (the version it updated).
    SELECT coalesce((SELECT usage_count FROM counted), code.usage_count) - code.usage_count AS k
    FROM code
), inserted AS (
    INSERT INTO sessions (id, code_id, client_ref, started_at, last_activity)
    SELECT s.id, code.id, NULL, $3, $3
    FROM unnest($2::uuid[]) WITH ORDINALITY AS s(id, n), code, seats
    WHERE s.n <= seats.k
    RETURNING id
)
-- is_active, expires_at, the usage_count the grant was decided on, capacity, seats granted.
SELECT code.is_active, code.expires_at, code.usage_count, code.max_usage_count, seats.k::int
FROM code, seats
