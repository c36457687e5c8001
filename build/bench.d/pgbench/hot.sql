-- pgbench reference of the hot-code claims: every client updates the same row.
\set id 1
UPDATE bench_rows SET usage_count = usage_count + 1 WHERE id = :id;
