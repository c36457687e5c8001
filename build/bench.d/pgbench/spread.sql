-- pgbench reference of the spread claims: every transaction updates one of 5,000 rows at random.
\set id random(1, 5000)
UPDATE bench_rows SET usage_count = usage_count + 1 WHERE id = :id;
