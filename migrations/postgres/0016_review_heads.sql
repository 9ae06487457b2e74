-- The review queue shows a campaign once, by its first item: it walks the
-- items that are not a campaign's later copies newest first. With this
-- index the walk skips those copies altogether, rather than stepping over
-- every copy of a form letter sent thousands of times.
CREATE INDEX input_items_review_heads ON input_items (created_at, id)
    WHERE campaign_id IS NULL OR campaign_id = id;
