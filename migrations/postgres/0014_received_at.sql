-- When an input item reached Parley, when that is later than when it was
-- written (an imported letter, a paper response); NULL: it arrived as it
-- was written (created_at). The item's review page shows both. (The
-- review queue walks `input_items_created` newest first.)
ALTER TABLE input_items ADD COLUMN received_at BIGINT;

-- "Assigned to me" walks the reader's items newest first by the date
-- written, like the queue.
DROP INDEX input_items_assignee;
CREATE INDEX input_items_assignee ON input_items (assignee_id, created_at, id) WHERE assignee_id IS NOT NULL;
