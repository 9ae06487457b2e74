-- When an input item reached Parley, when that is later than when it was
-- written (an imported letter, a paper response); NULL: it arrived as it
-- was written (created_at). The item's review page shows both.
ALTER TABLE input_items ADD COLUMN received_at BIGINT;

-- The review queue lists items newest first by the date written and
-- filters each: this index walks them in that order and holds the
-- filtered columns, so that a row is read only once it matches
-- (`input_items_created` would read every row it passes).
CREATE INDEX input_items_review_order ON input_items
    (analysis, created_at, id, channel, language, area_id, review_status, campaign_id, draft_id, assignee_id);

-- "Assigned to me" walks the reader's items newest first by the date
-- written, like the queue.
DROP INDEX input_items_assignee;
CREATE INDEX input_items_assignee ON input_items (assignee_id, created_at, id) WHERE assignee_id IS NOT NULL;
