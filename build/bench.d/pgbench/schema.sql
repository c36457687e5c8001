-- The pgbench reference table, in its own database (capacity_ref) on the bench PostgreSQL server.
DROP TABLE IF EXISTS bench_rows;
CREATE TABLE bench_rows (id int PRIMARY KEY, usage_count int NOT NULL DEFAULT 0);
INSERT INTO bench_rows (id, usage_count) SELECT i, 0 FROM generate_series(1, 5000) AS i;
VACUUM ANALYZE bench_rows;
