-- SQL workload for bench/programs-bench.sh (sqlite3 on a tmpfs database):
-- generated tables, an index, aggregates, a join, a window function.
-- Deterministic (no random()): prints the same rows on every machine.
PRAGMA journal_mode = MEMORY;
PRAGMA synchronous = OFF;
CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, region INTEGER);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, amount REAL, qty INTEGER, tag TEXT);
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000)
INSERT INTO customers SELECT i, 'cust' || printf('%05d', (i * 7919) % 10007), (i * 31) % 17 FROM c;
WITH RECURSIVE o(i, s) AS (SELECT 1, 12345 UNION ALL
    SELECT i + 1, (s * 1103515245 + 12345) % 2147483648 FROM o WHERE i < 40000)
INSERT INTO orders SELECT i, 1 + s % 2000, (s % 100000) / 100.0, 1 + (s / 7) % 9,
    substr('abcdefghij', 1 + s % 10, 1 + (s / 11) % 5) FROM o;
COMMIT;
CREATE INDEX orders_customer ON orders(customer);
CREATE INDEX orders_tag ON orders(tag, amount);
SELECT 'counts', (SELECT count(*) FROM customers), count(*), sum(qty), round(sum(amount), 2) FROM orders;
SELECT 'by-region', c.region, count(*), round(avg(o.amount), 4), max(o.qty * o.amount)
    FROM orders o JOIN customers c ON c.id = o.customer GROUP BY c.region ORDER BY c.region LIMIT 5;
SELECT 'top', c.name, round(sum(o.amount * o.qty), 2) AS total FROM customers c JOIN orders o ON o.customer = c.id
    GROUP BY c.id ORDER BY total DESC, c.name LIMIT 5;
SELECT 'tags', tag, count(*), round(min(amount), 2), round(max(amount), 2) FROM orders
    WHERE tag LIKE 'c%' GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 5;
SELECT 'rank', customer, amount, rnk FROM (SELECT customer, amount,
    rank() OVER (PARTITION BY customer ORDER BY amount DESC) AS rnk FROM orders WHERE customer <= 50)
    WHERE rnk = 1 ORDER BY amount DESC LIMIT 5;
UPDATE orders SET amount = amount * 1.1 WHERE qty > 5;
DELETE FROM orders WHERE tag = 'a';
SELECT 'after', count(*), round(sum(amount), 2), round(total(amount * qty) / count(*), 6) FROM orders;
SELECT 'sub', count(*) FROM customers WHERE id NOT IN (SELECT customer FROM orders WHERE amount > 990);
SELECT 'integrity', * FROM pragma_integrity_check;
