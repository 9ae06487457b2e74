-- Surveys: questionnaires in several languages, one response per person,
-- results counted as responses arrive.

-- A survey. `status`: drafting (its organiser builds it) → published
-- (answerable between opens_at and closes_at) → archived. `audience`:
-- anyone, signed-in residents, or holders of invitation codes.
-- `anonymous`: a response keeps no account or participation, only a keyed
-- per-survey hash, and its times to the day.
CREATE TABLE surveys (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status          TEXT    NOT NULL DEFAULT 'drafting'
                    CHECK (status IN ('drafting', 'published', 'archived')),
    audience        TEXT    NOT NULL DEFAULT 'anyone'
                    CHECK (audience IN ('anyone', 'residents', 'codes')),
    anonymous       BIGINT NOT NULL DEFAULT 0,
    results_public  BIGINT NOT NULL DEFAULT 0,
    opens_at        BIGINT,
    closes_at       BIGINT,
    theme_id        BIGINT REFERENCES themes (id) ON DELETE SET NULL,
    area_id         BIGINT REFERENCES areas (id) ON DELETE SET NULL,
    source_locale   TEXT    NOT NULL,
    created_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    first_response_at BIGINT
);
CREATE INDEX surveys_status ON surveys (status, closes_at);

-- Every text of a survey, by locale and key: `title`, `intro` (Markdown),
-- `section.{id}`, `q.{id}.prompt`, `q.{id}.help`, `q.{id}.unit`,
-- `q.{id}.option.{code}`, `q.{id}.statement.{code}`, `q.{id}.scale.{n}`.
CREATE TABLE survey_texts (
    survey_id BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    locale    TEXT    NOT NULL,
    text_key  TEXT    NOT NULL,
    text      TEXT    NOT NULL,
    PRIMARY KEY (survey_id, locale, text_key)
);

-- A survey's pages, in order.
CREATE TABLE survey_sections (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position  BIGINT NOT NULL
);
CREATE INDEX survey_sections_survey ON survey_sections (survey_id, position);

-- A question: its kind and rules as JSON (`surveys::questions::Spec`).
CREATE TABLE survey_questions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id  BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    section_id BIGINT NOT NULL REFERENCES survey_sections (id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    spec       TEXT    NOT NULL
);
CREATE INDEX survey_questions_survey ON survey_questions (survey_id, position);

-- One response per respondent: `respondent` is a keyed hash of the
-- account, the participation or (once sent with a code) nothing at all.
-- `user_id` and `participant_id` stay empty in an anonymous survey.
-- `client_hash`: a keyed, per-survey hash of the client's network, to
-- count likely duplicates (never to refuse anyone).
CREATE TABLE survey_responses (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id      BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    respondent     TEXT    NOT NULL,
    user_id        BIGINT REFERENCES users (id) ON DELETE SET NULL,
    participant_id BIGINT REFERENCES participants (id) ON DELETE SET NULL,
    channel        TEXT    NOT NULL DEFAULT 'online' CHECK (channel IN ('online', 'paper')),
    locale         TEXT    NOT NULL,
    area_id        BIGINT REFERENCES areas (id) ON DELETE SET NULL,
    client_hash    TEXT,
    sections_done  BIGINT NOT NULL DEFAULT 0,
    sealed         BIGINT NOT NULL DEFAULT 0,
    started_at     BIGINT NOT NULL,
    submitted_at   BIGINT,
    UNIQUE (survey_id, respondent)
);
CREATE INDEX survey_responses_user ON survey_responses (user_id);
CREATE INDEX survey_responses_participant ON survey_responses (participant_id);
CREATE INDEX survey_responses_client ON survey_responses (survey_id, client_hash);

-- An answer. `value` in the canonical form of `surveys::questions::Answer`;
-- a free-text answer's text is its input item's (channel survey_answer,
-- source_id = this id), so the pipeline masks, sorts and erases it.
CREATE TABLE survey_answers (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    response_id BIGINT NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES survey_questions (id) ON DELETE CASCADE,
    value       TEXT    NOT NULL,
    UNIQUE (response_id, question_id)
);

-- Results kept as responses are sent: how many sent responses hold each
-- cell (`surveys::questions::cells`) of each question, in each slice
-- ('' for all; 'area:3', 'lang:ar', 'channel:paper', 'day:2026-12-05',
-- 'x:{question}:{option}' for a cross-tab). Question 0 counts responses.
CREATE TABLE survey_counts (
    survey_id   BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    slice       TEXT    NOT NULL,
    question_id BIGINT NOT NULL,
    cell        TEXT    NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (survey_id, slice, question_id, cell)
);

-- Invitation codes are made in batches: a batch's codes follow from a
-- server key, so its organisers can print its sheet of cards again.
CREATE TABLE survey_code_batches (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id  BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    size       BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Single-use invitation codes, kept as keyed hashes. A used code records
-- the day, never which response.
CREATE TABLE survey_codes (
    survey_id  BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    batch_id   BIGINT NOT NULL REFERENCES survey_code_batches (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (survey_id, code_hash)
);
