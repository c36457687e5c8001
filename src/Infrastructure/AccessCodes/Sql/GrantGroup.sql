-- One claim transaction for the anonymous batches of SEVERAL codes (each code once), one commit for all.
-- $1 codes, $2 claims per code, $3 session ids, $4 part of each session (1-based index into $1),
-- $5 place of each session in its part (from 1), $6 now.
-- The code rows are locked with SKIP LOCKED, so the statement never waits for a lock: a row another
-- transaction holds (another instance, a release, a cleanup) is left out and its batch retries after a
-- backoff, exactly as NOWAIT makes a one-code batch do; so it never deadlocks, whatever codes the groups of
-- several instances hold. Per code, the same grant as GrantAnonymous.sql, and for the same reason the
-- UPDATE computes each code's k from its own target row (docs/decisions/005).
WITH parts AS (
    SELECT p.code, p.claims, p.n
    FROM unnest($1::varchar[], $2::int[]) WITH ORDINALITY AS p(code, claims, n)
), code AS (
    SELECT a.id, a.code, a.is_active, a.expires_at, a.usage_count, a.max_usage_count
    FROM access_codes a
    WHERE a.code = ANY ($1::varchar[])
    FOR UPDATE SKIP LOCKED
), wanted AS (
    SELECT parts.n, code.id, code.usage_count AS decided,
           CASE WHEN code.is_active AND (code.expires_at IS NULL OR code.expires_at > $6)
                     AND code.usage_count < code.max_usage_count
                THEN parts.claims ELSE 0 END AS seats
    FROM parts JOIN code ON code.code = parts.code
), counted AS (
    UPDATE access_codes a
    SET usage_count = a.usage_count + LEAST(wanted.seats, a.max_usage_count - a.usage_count), updated_at = $6
    FROM wanted
    -- Conditions on the locked version (wanted), never on a's own columns: see GrantWithReferences.sql.
    WHERE a.id = wanted.id AND wanted.seats > 0
    RETURNING a.id, a.usage_count
), seats AS (
    -- What the UPDATE granted per code: its new usage minus the locked version's (the version it updated).
    SELECT wanted.n, wanted.id, wanted.decided, coalesce(counted.usage_count, wanted.decided) - wanted.decided AS k
    FROM wanted LEFT JOIN counted ON counted.id = wanted.id
), inserted AS (
    -- Session i of a part (its place, from 1) is inserted when place <= k of that part.
    INSERT INTO sessions (id, code_id, client_ref, started_at, last_activity)
    SELECT s.id, seats.id, NULL, $6, $6
    FROM unnest($3::uuid[], $4::int[], $5::int[]) AS s(id, part, place)
    JOIN seats ON seats.n = s.part
    WHERE s.place <= seats.k
    RETURNING id
)
-- Per part: locked, exists, is_active, expires_at, the usage_count the grant was decided on, capacity, k.
SELECT code.id IS NOT NULL,
       code.id IS NOT NULL OR EXISTS (SELECT 1 FROM access_codes e WHERE e.code = parts.code),
       code.is_active, code.expires_at, code.usage_count, code.max_usage_count, coalesce(seats.k, 0)::int
FROM parts
LEFT JOIN code ON code.code = parts.code
LEFT JOIN seats ON seats.n = parts.n
ORDER BY parts.n
