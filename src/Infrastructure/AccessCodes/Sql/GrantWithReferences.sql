-- One claim transaction for a batch of claims of ONE code, some with client references (idempotency keys).
-- $1 code, $2 session ids (one per claim, in arrival order), $3 client references (null: none), $4 now.
-- One statement, so one round trip and one implicit transaction: the code row is locked, the claims that
-- need a new seat are granted while seats remain, usage_count grows by exactly the number of sessions
-- inserted, and every claim gets its outcome row, in arrival order.
--
-- Why the UPDATE computes the grant from its own target row (see docs/decisions/005): the statement's
-- snapshot is taken before the lock below. When another transaction changed the code row in between (a
-- release, a cleanup, another instance's claim), FOR UPDATE locks and returns the NEWEST version, but the
-- UPDATE first builds its new row from the version its snapshot sees and checks the table's constraints
-- on it, and only then finds the newer version and recomputes its SET from that one (READ COMMITTED's
-- recheck). So `usage_count = a.usage_count + k` with k decided from the locked version trips the check
-- constraint on a stale candidate whenever releases freed seats in between. The cap inside the SET keeps
-- every candidate within capacity; the final row is computed from the locked version, the one k was
-- decided from, and the sessions inserted are counted from what the UPDATE returned.
WITH code AS (
    -- Row lock on the code: serializes every grant of this code across all API instances. NOWAIT
    -- because a batch never queues inside PostgreSQL holding a pooled connection: it backs off and
    -- retries, and the claims that arrive meanwhile join it.
    SELECT id, is_active, expires_at, usage_count, max_usage_count
    FROM access_codes
    WHERE code = $1
    FOR UPDATE NOWAIT
), claims AS (
    SELECT c.n, c.id, c.client_ref
    FROM unnest($2::uuid[], $3::varchar[]) WITH ORDINALITY AS c(id, client_ref, n)
), open_sessions AS (
    -- Sessions the batch's client references already hold on this code: a retry gets its seat back.
    -- FOR SHARE re-reads each row's newest version (the statement's snapshot predates the code lock,
    -- so a release committed in between would otherwise still look open); NOWAIT because a release
    -- holding the row would wait for our code lock: the batch backs off instead of deadlocking.
    SELECT s.client_ref, s.id
    FROM sessions s JOIN code ON s.code_id = code.id
    WHERE s.ended_at IS NULL
      AND s.client_ref IN (SELECT client_ref FROM claims WHERE client_ref IS NOT NULL)
    FOR SHARE OF s NOWAIT
), wanting AS (
    -- Claims that need a new seat, in arrival order: no client reference, or the first claim of a
    -- reference that holds no open session (a later one of the same reference shares that seat).
    SELECT c.n, c.id, c.client_ref, row_number() OVER (ORDER BY c.n) AS place
    FROM claims c
    WHERE c.client_ref IS NULL
       OR (NOT EXISTS (SELECT 1 FROM open_sessions o WHERE o.client_ref = c.client_ref)
           AND c.n = (SELECT min(d.n) FROM claims d WHERE d.client_ref = c.client_ref))
), wanted AS (
    -- Seats asked for: none for an inactive or expired code.
    SELECT CASE WHEN code.is_active AND (code.expires_at IS NULL OR code.expires_at > $4)
                THEN (SELECT count(*) FROM wanting) ELSE 0 END AS seats
    FROM code
), counted AS (
    -- k = min(seats wanted, free seats), computed from the row version this UPDATE writes.
    UPDATE access_codes a
    SET usage_count = a.usage_count + LEAST(wanted.seats, a.max_usage_count - a.usage_count), updated_at = $4
    FROM code, wanted
    -- Filter on the locked version (code), never on a's own columns: a row that fails a condition on the
    -- version of the statement's snapshot is skipped without the recheck, and would answer "full" while the
    -- locked, newest version has free seats.
    WHERE a.id = code.id AND wanted.seats > 0 AND code.usage_count < code.max_usage_count
    RETURNING a.usage_count
), seats AS (
    -- What the UPDATE granted: its new usage minus the locked version's (the version it updated).
    SELECT code.usage_count AS decided, coalesce((SELECT usage_count FROM counted), code.usage_count) - code.usage_count AS k
    FROM code
), granted AS (
    SELECT w.n, w.id, w.client_ref, w.place FROM wanting w, seats WHERE w.place <= seats.k
), inserted AS (
    INSERT INTO sessions (id, code_id, client_ref, started_at, last_activity)
    SELECT g.id, code.id, g.client_ref, $4, $4 FROM granted g, code
    RETURNING id
)
-- Per claim: outcome, session, the usage after its seat, capacity, and the usage_count the grant was
-- decided on (internal: the tests check that no claim is answered 'full' while that row had a free seat).
SELECT
    CASE WHEN NOT code.is_active THEN 'inactive'
         WHEN code.expires_at IS NOT NULL AND code.expires_at <= $4 THEN 'expired'
         WHEN mine.id IS NOT NULL THEN 'granted'
         WHEN held.id IS NOT NULL OR earlier.id IS NOT NULL THEN 'resumed'
         ELSE 'full' END,
    COALESCE(mine.id, held.id, earlier.id),
    (seats.decided + COALESCE(mine.place, seats.k))::int,
    code.max_usage_count,
    seats.decided
FROM claims c
CROSS JOIN code
CROSS JOIN seats
LEFT JOIN granted mine ON mine.n = c.n
LEFT JOIN open_sessions held ON held.client_ref = c.client_ref
LEFT JOIN granted earlier ON earlier.client_ref = c.client_ref AND earlier.n < c.n
ORDER BY c.n
