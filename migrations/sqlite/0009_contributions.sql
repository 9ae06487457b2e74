-- One way in for resident text: an item's text has a revision, moved on
-- by every edit and by erasure, so that an analysis of an older text is
-- never stored over a newer one; an erased item keeps its row (counts and
-- review history) and the time its text was erased.
ALTER TABLE input_items ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE input_items ADD COLUMN erased_at INTEGER;
