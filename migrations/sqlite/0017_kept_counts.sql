-- The dashboard's and the open data's counts, kept where every process
-- reads them (issue 18): one process counts at a time, holding the row's
-- turn (`counting_until`, milliseconds since 1970) while it counts, and
-- the others read what it wrote. `counted_at` 0 means not counted yet.
CREATE TABLE kept_counts (
    name TEXT PRIMARY KEY,
    counted_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    counting_until BIGINT NOT NULL
);
