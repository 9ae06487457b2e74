-- Forums (categories, threads, posts, reactions, reports), their moderation
-- (per-area settings, suspensions, word filters), announcements, and the
-- input items every post becomes (analysed later by the input pipeline).
--
-- Personal data in this file: posts.body_source, posts.body_html,
-- post_revisions.body_source, threads.title, post_reports.note,
-- input_items.original_text (listed in app/src/auth/db.rs, PERSONAL_DATA).

-- How each area's forums are moderated. An area without a row uses the
-- defaults in app/src/forums/mod.rs (ForumRules::DEFAULT).
CREATE TABLE forum_rules (
    area_id          BIGINT PRIMARY KEY REFERENCES areas (id) ON DELETE CASCADE,
    -- Distinct residents whose reports hide a post pending review.
    report_threshold BIGINT NOT NULL CHECK (report_threshold BETWEEN 1 AND 100),
    -- How many first posts of an account wait for a moderator's approval.
    held_first_posts BIGINT NOT NULL CHECK (held_first_posts BETWEEN 0 AND 100)
);

CREATE TABLE forum_categories (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id       BIGINT NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    slug          TEXT    NOT NULL CHECK (length(slug) BETWEEN 1 AND 64),
    source_locale TEXT    NOT NULL,
    position      BIGINT NOT NULL DEFAULT 0,
    UNIQUE (area_id, slug)
);

CREATE TABLE forum_category_texts (
    category_id BIGINT NOT NULL REFERENCES forum_categories (id) ON DELETE CASCADE,
    locale      TEXT    NOT NULL,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (category_id, locale)
);

-- A thread's counters (replies, last activity) are kept up to date in the
-- transaction that changes its posts, so listings never count posts.
CREATE TABLE threads (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category_id   BIGINT NOT NULL REFERENCES forum_categories (id),
    area_id       BIGINT NOT NULL REFERENCES areas (id),
    author_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    title         TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    created_at    BIGINT NOT NULL,
    -- Published posts after the first.
    reply_count   BIGINT NOT NULL DEFAULT 0,
    last_post_at  BIGINT NOT NULL,
    pinned        BIGINT NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    locked        BIGINT NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    -- 0 while the first post waits for approval or is hidden: the thread is
    -- then listed only to its author and the area's moderators.
    published     BIGINT NOT NULL DEFAULT 1 CHECK (published IN (0, 1))
);
-- The category listing: pinned first, then by last activity.
CREATE INDEX threads_listing ON threads (category_id, pinned, last_post_at, id);
CREATE INDEX threads_author ON threads (author_id);

-- status: visible; held (waits for approval: a new account's first posts,
-- or a word filter); reported (hidden by reports pending review); hidden (by
-- a moderator, with a reason the author sees); deleted (body erased).
CREATE TABLE posts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    thread_id     BIGINT NOT NULL REFERENCES threads (id),
    area_id       BIGINT NOT NULL REFERENCES areas (id),
    author_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    quote_of      BIGINT REFERENCES posts (id),
    body_source   TEXT    NOT NULL,
    -- Rendered and sanitised once, when written: reading never renders.
    body_html     TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'visible'
                  CHECK (status IN ('visible', 'held', 'reported', 'hidden', 'deleted')),
    held_reason   TEXT    CHECK (held_reason IN ('new_account', 'word_filter')),
    hide_reason   TEXT,
    link_count    BIGINT NOT NULL DEFAULT 0,
    agree_count   BIGINT NOT NULL DEFAULT 0,
    helpful_count BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    edited_at     BIGINT
);
-- A thread's pages, by keyset on id.
CREATE INDEX posts_thread ON posts (thread_id, id);
-- The moderation queue: held and reported posts of an area.
CREATE INDEX posts_area_status ON posts (area_id, status, id);
-- An author's history, their daily count and their approved posts.
CREATE INDEX posts_author ON posts (author_id, created_at);

-- Earlier versions of an edited post, for moderators.
CREATE TABLE post_revisions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id     BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    body_source TEXT    NOT NULL,
    written_at  BIGINT NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions (post_id, id);

CREATE TABLE post_reactions (
    post_id    BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('agree', 'helpful')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (post_id, user_id, kind)
);
CREATE INDEX post_reactions_user ON post_reactions (user_id);

CREATE TABLE post_reports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id     BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    reporter_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT    NOT NULL CHECK (reason IN ('spam', 'abuse', 'hate', 'personal_data', 'other')),
    note        TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    -- Set when a moderator approved, hid or deleted the post.
    resolved_at BIGINT,
    UNIQUE (post_id, reporter_id)
);
CREATE INDEX post_reports_open ON post_reports (post_id, resolved_at);
CREATE INDEX post_reports_reporter ON post_reports (reporter_id);

-- A resident barred from posting in an area until a time.
CREATE TABLE forum_suspensions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    area_id    BIGINT NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    until      BIGINT NOT NULL,
    reason     TEXT    NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX forum_suspensions_user_area ON forum_suspensions (user_id, area_id, until);

-- Words and phrases that hold a post for review or refuse it. `area_id`
-- NULL: every area; `locale` NULL: every language. `pattern` is the phrase
-- normalised (app/src/forums/filters.rs), which is what is matched.
CREATE TABLE word_filters (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id    BIGINT REFERENCES areas (id) ON DELETE CASCADE,
    locale     TEXT,
    phrase     TEXT    NOT NULL CHECK (length(phrase) BETWEEN 1 AND 200),
    pattern    TEXT    NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('hold', 'refuse')),
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX word_filters_area ON word_filters (area_id);

-- Notices shown on every page while active, and in the Atom feeds.
-- `area_id` NULL: the whole town.
CREATE TABLE announcements (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id     BIGINT REFERENCES areas (id) ON DELETE CASCADE,
    severity    TEXT    NOT NULL CHECK (severity IN ('info', 'notice', 'urgent')),
    locale      TEXT    NOT NULL,
    title       TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body_source TEXT    NOT NULL,
    body_html   TEXT    NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    author_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
-- Active notices: those that have not ended yet.
CREATE INDEX announcements_ends ON announcements (ends_at, starts_at);

-- Everything a resident writes, from every channel, as the input pipeline
-- sees it. Written in the same transaction as its source; the pipeline
-- (language, masking, themes, campaigns) fills in the rest later:
-- `analysis` stays 'pending' until then.
CREATE TABLE input_items (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel             TEXT    NOT NULL CHECK (channel IN
                        ('forum_post', 'survey_answer', 'feedback', 'draft_comment', 'focus_group_notes', 'import')),
    source_id           BIGINT NOT NULL,
    area_id             BIGINT REFERENCES areas (id) ON DELETE SET NULL,
    author_id           BIGINT REFERENCES users (id) ON DELETE SET NULL,
    participant_id      BIGINT REFERENCES participants (id) ON DELETE SET NULL,
    created_at          BIGINT NOT NULL,
    original_text       TEXT    NOT NULL,
    language            TEXT,
    language_confidence DOUBLE PRECISION,
    masked_text         TEXT,
    analysis            TEXT    NOT NULL DEFAULT 'pending' CHECK (analysis IN ('pending', 'done', 'failed')),
    UNIQUE (channel, source_id)
);
CREATE INDEX input_items_analysis ON input_items (analysis, id);
CREATE INDEX input_items_author ON input_items (author_id);
