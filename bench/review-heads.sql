-- The review queue's walk over a demo town holding one campaign of 50,000
-- copies (bench/RESULTS.md, "Load over time", run 3). Used as:
--   PARLEY_DATABASE_URL=sqlite:///tmp/rq/p.db target/debug/parley seed-demo
--   sqlite3 /tmp/rq/p.db < bench/review-heads.sql
-- It times page 1 of draft 1's queue (the query's shape of
-- app/src/review/queue.rs) with the index SQLite chooses; drop
-- input_items_review_heads first to time the walk without it.
UPDATE input_items SET analysis = 'done';
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 50000)
INSERT INTO input_items (channel, source_id, area_id, created_at, original_text, masked_text, analysis, review_status)
SELECT 'feedback', 1000000 + k, NULL, 1900000000000 + k, 'Load test comment', 'Load test comment', 'done', 'new' FROM n;
UPDATE input_items SET campaign_id = (SELECT MIN(id) FROM input_items WHERE source_id > 1000000)
 WHERE source_id > 1000000;
INSERT INTO campaigns (id, size, last_joined_at)
SELECT MIN(id), 50000, 0 FROM input_items WHERE source_id > 1000000;
INSERT INTO input_themes (item_id, theme_id, score, source)
SELECT id, 1, 0.9, 'rule' FROM input_items WHERE source_id > 1000000;
ANALYZE;
.timer on
SELECT COUNT(*) FROM (
  SELECT i.id, c.size FROM input_items i LEFT JOIN campaigns c ON c.id = i.campaign_id
   WHERE i.analysis = 'done'
     AND (i.draft_id = 1 OR EXISTS (SELECT 1 FROM input_themes qt WHERE qt.item_id = i.id AND qt.theme_id IN (1, 3)))
     AND (i.campaign_id IS NULL OR i.campaign_id = i.id)
   ORDER BY i.created_at DESC, i.id DESC LIMIT 51);
EXPLAIN QUERY PLAN
  SELECT i.id, c.size FROM input_items i LEFT JOIN campaigns c ON c.id = i.campaign_id
   WHERE i.analysis = 'done'
     AND (i.draft_id = 1 OR EXISTS (SELECT 1 FROM input_themes qt WHERE qt.item_id = i.id AND qt.theme_id IN (1, 3)))
     AND (i.campaign_id IS NULL OR i.campaign_id = i.id)
   ORDER BY i.created_at DESC, i.id DESC LIMIT 51;
