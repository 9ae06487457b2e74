-- Policy drafts, section comments, review of input, and responses
-- ("you said, we did").

-- A policy draft. Its text lives in versions; `status` moves forward only:
-- drafting → open (between opens_at and closes_at, residents comment) →
-- closed → adopted.
CREATE TABLE drafts (
    id              INTEGER PRIMARY KEY,
    status          TEXT    NOT NULL DEFAULT 'drafting'
                    CHECK (status IN ('drafting', 'open', 'closed', 'adopted')),
    opens_at        INTEGER,
    closes_at       INTEGER,
    allow_anonymous INTEGER NOT NULL DEFAULT 1,
    source_locale   TEXT    NOT NULL,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX drafts_status ON drafts (status, updated_at);

-- The themes and areas a draft covers. Its review queue holds the input
-- items whose themes meet its themes.
CREATE TABLE draft_themes (
    draft_id INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (draft_id, theme_id)
);
CREATE INDEX draft_themes_theme ON draft_themes (theme_id);
CREATE TABLE draft_areas (
    draft_id INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    area_id  INTEGER NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    PRIMARY KEY (draft_id, area_id)
);

-- Versions of a draft, numbered from 1. The newest may be a working copy
-- (published_at NULL) that its writers edit; a published version never
-- changes. `locale` is the language the text is written in: the source
-- version has the draft's source locale, and a translation of version N
-- is a row of `draft_translations`.
CREATE TABLE draft_versions (
    id           INTEGER PRIMARY KEY,
    draft_id     INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL CHECK (number >= 1),
    title        TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    written_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    written_at   INTEGER NOT NULL,
    published_at INTEGER,
    UNIQUE (draft_id, number)
);

-- The sections of a version: one per heading, in order. `section_key` is
-- the section's stable id within its draft: it survives edits and moves
-- from version to version, so comments stay attached to their section.
CREATE TABLE draft_sections (
    version_id  INTEGER NOT NULL REFERENCES draft_versions (id) ON DELETE CASCADE,
    section_key INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    heading     TEXT    NOT NULL,
    html        TEXT    NOT NULL,
    PRIMARY KEY (version_id, section_key)
);

-- A translation of one version into another locale, with its sections
-- under the same stable keys.
CREATE TABLE draft_translations (
    version_id    INTEGER NOT NULL REFERENCES draft_versions (id) ON DELETE CASCADE,
    locale        TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    summary       TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    translated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    translated_at INTEGER NOT NULL,
    PRIMARY KEY (version_id, locale)
);
CREATE TABLE draft_translation_sections (
    version_id  INTEGER NOT NULL,
    locale      TEXT    NOT NULL,
    section_key INTEGER NOT NULL,
    heading     TEXT    NOT NULL,
    html        TEXT    NOT NULL,
    PRIMARY KEY (version_id, locale, section_key),
    FOREIGN KEY (version_id, locale) REFERENCES draft_translations (version_id, locale) ON DELETE CASCADE
);

-- A comment on a section of a published version. Its text is an input
-- item (channel draft_comment); this row says where it was written.
CREATE TABLE draft_comments (
    id             INTEGER PRIMARY KEY,
    draft_id       INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    version_id     INTEGER NOT NULL REFERENCES draft_versions (id) ON DELETE CASCADE,
    section_key    INTEGER NOT NULL,
    user_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    participant_id INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX draft_comments_draft ON draft_comments (draft_id, section_key);

-- What policymakers answer: published at once on the draft's responses
-- page, grouped by theme, naming the version and section that took the
-- input in when there is one.
CREATE TABLE responses (
    id          INTEGER PRIMARY KEY,
    draft_id    INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    theme_id    INTEGER REFERENCES themes (id) ON DELETE SET NULL,
    version     INTEGER,
    section_key INTEGER,
    body        TEXT    NOT NULL,
    written_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX responses_draft ON responses (draft_id, theme_id, id);
CREATE INDEX responses_created ON responses (created_at);

-- Review of each input item: the draft it was written on (comments), who
-- reviews it, the response that answered it and when its status last
-- changed (the dashboard's time to a response).
ALTER TABLE input_items ADD COLUMN draft_id INTEGER REFERENCES drafts (id) ON DELETE SET NULL;
ALTER TABLE input_items ADD COLUMN assignee_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE input_items ADD COLUMN response_id INTEGER REFERENCES responses (id) ON DELETE SET NULL;
ALTER TABLE input_items ADD COLUMN reviewed_at INTEGER;
CREATE INDEX input_items_draft ON input_items (draft_id, id) WHERE draft_id IS NOT NULL;
CREATE INDEX input_items_response ON input_items (response_id) WHERE response_id IS NOT NULL;
-- A reviewer's own queue ("assigned to me"), newest first.
CREATE INDEX input_items_assignee ON input_items (assignee_id, id) WHERE assignee_id IS NOT NULL;
CREATE INDEX input_items_participant ON input_items (participant_id) WHERE participant_id IS NOT NULL;
