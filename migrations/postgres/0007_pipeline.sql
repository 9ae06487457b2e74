-- The input pipeline: what the analysis fills in on every input item, the
-- job queue that runs it, theme rules and models, campaigns, search, and
-- the feedback form (the first channel that runs the whole pipeline).

-- Filled in by the analysis (app/src/input/): whether the detected
-- language is reliable (short or mixed texts are not), the normalised-text
-- hash and MinHash signature that group campaigns, the campaign (the id of
-- its first item), when a reviewer confirmed its themes, and where review
-- stands.
-- The writer's interface language (or the language an import names): the
-- language themes are judged in when the text's own cannot be told.
ALTER TABLE input_items ADD COLUMN language_hint TEXT;
ALTER TABLE input_items ADD COLUMN language_reliable BIGINT NOT NULL DEFAULT 0;
ALTER TABLE input_items ADD COLUMN text_hash BIGINT;
ALTER TABLE input_items ADD COLUMN signature BYTEA;
ALTER TABLE input_items ADD COLUMN campaign_id BIGINT;
ALTER TABLE input_items ADD COLUMN analysed_at BIGINT;
ALTER TABLE input_items ADD COLUMN themes_reviewed_at BIGINT;
ALTER TABLE input_items ADD COLUMN review_status TEXT NOT NULL DEFAULT 'new'
    CHECK (review_status IN ('new', 'in_review', 'addressed', 'noted', 'out_of_scope'));
CREATE INDEX input_items_text_hash ON input_items (text_hash);
CREATE INDEX input_items_campaign ON input_items (campaign_id);
CREATE INDEX input_items_created ON input_items (created_at, id);

-- Work the server does in the background. A worker claims due jobs by
-- moving `run_after` past a lease; a job whose worker dies becomes due
-- again when the lease runs out. Done jobs are deleted; a job that failed
-- too often is parked (parked_at set) with its last error for admins.
CREATE TABLE jobs (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('analyse', 'retrain')),
    item_id    BIGINT REFERENCES input_items (id) ON DELETE CASCADE,
    language   TEXT,
    attempts   BIGINT NOT NULL DEFAULT 0,
    run_after  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    parked_at  BIGINT,
    last_error TEXT
);
CREATE INDEX jobs_due ON jobs (kind, run_after, id) WHERE parked_at IS NULL;
CREATE INDEX jobs_parked ON jobs (parked_at) WHERE parked_at IS NOT NULL;

-- What the workers got through, per minute (the unix minute), for /metrics
-- and the admin screen's throughput. Minutes older than a day are pruned;
-- `job_totals` keeps the running totals that /metrics exports as counters.
CREATE TABLE job_minutes (
    kind    TEXT    NOT NULL,
    outcome TEXT    NOT NULL CHECK (outcome IN ('done', 'failed', 'parked')),
    minute  BIGINT NOT NULL,
    count   BIGINT NOT NULL,
    PRIMARY KEY (kind, outcome, minute)
);
CREATE TABLE job_totals (
    kind    TEXT    NOT NULL,
    outcome TEXT    NOT NULL CHECK (outcome IN ('done', 'failed', 'parked')),
    count   BIGINT NOT NULL,
    PRIMARY KEY (kind, outcome)
);

-- Themes of an input item, each with its score and where it came from.
-- A reviewer's confirmation replaces the rule's and model's guesses.
CREATE TABLE input_themes (
    item_id  BIGINT NOT NULL REFERENCES input_items (id) ON DELETE CASCADE,
    theme_id BIGINT NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    score    DOUBLE PRECISION    NOT NULL CHECK (score BETWEEN 0 AND 1),
    source   TEXT    NOT NULL CHECK (source IN ('rule', 'model', 'reviewer')),
    PRIMARY KEY (item_id, theme_id)
);
CREATE INDEX input_themes_theme ON input_themes (theme_id, item_id);

-- Keyword rules per theme and language, managed by admins.
CREATE TABLE theme_rules (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    theme_id   BIGINT NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    language   TEXT    NOT NULL CHECK (length(language) BETWEEN 2 AND 3),
    keyword    TEXT    NOT NULL CHECK (length(keyword) BETWEEN 1 AND 100),
    created_at BIGINT NOT NULL,
    UNIQUE (theme_id, language, keyword)
);

-- The classifier of each language, trained from reviewer-confirmed themes.
CREATE TABLE theme_models (
    language   TEXT    PRIMARY KEY,
    trained_at BIGINT NOT NULL,
    examples   BIGINT NOT NULL,
    model      BYTEA    NOT NULL
);

-- Campaigns: items that are the same letter. `id` is the first item's id.
CREATE TABLE campaigns (
    id            BIGINT PRIMARY KEY REFERENCES input_items (id) ON DELETE CASCADE,
    size          BIGINT NOT NULL DEFAULT 1,
    last_joined_at BIGINT NOT NULL
);
CREATE INDEX campaigns_size ON campaigns (size DESC);

-- Locality-sensitive hashing bands of each item's MinHash signature: items
-- sharing a band key are candidates of one campaign.
CREATE TABLE campaign_bands (
    band_key BIGINT NOT NULL,
    item_id  BIGINT NOT NULL REFERENCES input_items (id) ON DELETE CASCADE,
    PRIMARY KEY (band_key, item_id)
);
CREATE INDEX campaign_bands_item ON campaign_bands (item_id);

-- Full-text search over the masked text (never the original), with the
-- text search configuration of its language where PostgreSQL has one.
ALTER TABLE input_items ADD COLUMN search tsvector;
CREATE INDEX input_items_search ON input_items USING GIN (search);

-- The feedback form. `follow_hash` is the SHA-256 of the private link where
-- the sender follows what becomes of it.
CREATE TABLE feedback (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id        BIGINT REFERENCES areas (id) ON DELETE SET NULL,
    theme_id       BIGINT REFERENCES themes (id) ON DELETE SET NULL,
    user_id        BIGINT REFERENCES users (id) ON DELETE SET NULL,
    participant_id BIGINT REFERENCES participants (id) ON DELETE SET NULL,
    follow_hash    TEXT    NOT NULL UNIQUE,
    locale         TEXT    NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX feedback_user ON feedback (user_id);
CREATE INDEX feedback_participant ON feedback (participant_id);

-- Bulk imports: one row per imported file, so that importing the same file
-- twice imports nothing twice: input_items (channel, source_id) is unique,
-- and an imported row's source_id is (import id << 40) + its line number.
CREATE TABLE imports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_hash   TEXT    NOT NULL,
    file_name   TEXT    NOT NULL,
    channel     TEXT    NOT NULL CHECK (channel IN ('paper', 'email', 'other')),
    created_at  BIGINT NOT NULL,
    rows_done   BIGINT NOT NULL DEFAULT 0,
    UNIQUE (file_hash)
);
