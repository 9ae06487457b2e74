-- Focus groups: sessions that residents sign up for, without an account.

-- A session. `status`: drafting (its organiser prepares it) → published
-- (sign-ups open) → cancelled. `mode`: first_come (confirmed up to the
-- capacity, then waitlisted in arrival order) or select (applications
-- until `applications_close_at`, then a selection against the targets).
-- `signups` numbers the sign-ups in arrival order and `confirmed` counts
-- the confirmed ones: a sign-up moves both in one UPDATE of this row, so
-- that the row's lock orders the arrivals and the capacity holds.
-- `consent_version` is the version of the consent text a sign-up agrees
-- to now. `place` and `online_link` are shown to confirmed participants
-- only. `targets`: the recruitment targets (JSON, `selection::Target`);
-- `questions`: what the sign-up form asks besides the person's details
-- (JSON, a list of `surveys::questions::Spec`, question n at n - 1;
-- their wording in `focus_group_texts`).
-- `selection_seed` and `selected_at` record the selection once run.
CREATE TABLE focus_groups (
    id                    INTEGER PRIMARY KEY,
    status                TEXT    NOT NULL DEFAULT 'drafting'
                          CHECK (status IN ('drafting', 'published', 'cancelled')),
    mode                  TEXT    NOT NULL DEFAULT 'first_come'
                          CHECK (mode IN ('first_come', 'select')),
    area_id               INTEGER REFERENCES areas (id) ON DELETE SET NULL,
    theme_id              INTEGER REFERENCES themes (id) ON DELETE SET NULL,
    source_locale         TEXT    NOT NULL,
    languages             TEXT    NOT NULL,
    starts_at             INTEGER NOT NULL,
    ends_at               INTEGER NOT NULL,
    place                 TEXT,
    online_link           TEXT,
    capacity              INTEGER NOT NULL CHECK (capacity > 0),
    signups               INTEGER NOT NULL DEFAULT 0,
    confirmed             INTEGER NOT NULL DEFAULT 0 CHECK (confirmed <= capacity),
    applications_close_at INTEGER,
    consent_version       INTEGER NOT NULL DEFAULT 1,
    targets               TEXT    NOT NULL DEFAULT '[]',
    questions             TEXT    NOT NULL DEFAULT '[]',
    selection_seed        INTEGER,
    selected_at           INTEGER,
    created_by            INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at            INTEGER NOT NULL,
    erased_at             INTEGER
);
CREATE INDEX focus_groups_starts ON focus_groups (status, starts_at);

-- Every text of a session, by locale and key: `topic`, `description`
-- (Markdown), `accessibility`, `consent.{version}` (Markdown),
-- `question.{n}` and `question.{n}.{option}`.
CREATE TABLE focus_group_texts (
    focus_group_id INTEGER NOT NULL REFERENCES focus_groups (id) ON DELETE CASCADE,
    locale         TEXT    NOT NULL,
    text_key       TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    PRIMARY KEY (focus_group_id, locale, text_key)
);

-- A sign-up. `status`: confirmed, waitlisted, offered (a freed place,
-- held until `offer_until`), lapsed (the offer ran out), applied (mode
-- select), declined (not selected), cancelled. The session's `confirmed`
-- counts the confirmed and the offered: an offered place is held.
-- `user_id` or `participant_id`: who signed up, when signed in or known
-- by their device (for their download and erasure); none is needed. `arrival` is the session's `signups` counter at sign-up: the
-- waitlist's order. `token_hash` is the hash of the private link's
-- token; `link_sealed` the token sealed with the server's key, so that
-- later mails (an offer, a reminder) can carry the link. Name, contact, needs and answers are erased
-- (`erased_at`) a retention period after the session ends.
CREATE TABLE focus_group_signups (
    id              INTEGER PRIMARY KEY,
    focus_group_id  INTEGER NOT NULL REFERENCES focus_groups (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL
                    CHECK (status IN ('confirmed', 'waitlisted', 'offered', 'lapsed', 'applied', 'declined', 'cancelled')),
    arrival         INTEGER NOT NULL,
    token_hash      TEXT    NOT NULL UNIQUE,
    link_sealed     TEXT,
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    participant_id  INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    name            TEXT,
    contact         TEXT,
    languages       TEXT    NOT NULL DEFAULT '',
    categories      TEXT    NOT NULL DEFAULT '',
    needs           TEXT,
    answers         TEXT,
    locale          TEXT    NOT NULL,
    consent_version INTEGER NOT NULL,
    offer_until     INTEGER,
    checked_in_at   INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    erased_at       INTEGER,
    UNIQUE (focus_group_id, arrival)
);
CREATE INDEX focus_group_signups_waitlist ON focus_group_signups (focus_group_id, status, arrival);
CREATE INDEX focus_group_signups_user ON focus_group_signups (user_id);
CREATE INDEX focus_group_signups_participant ON focus_group_signups (participant_id);
CREATE INDEX focus_group_signups_offers ON focus_group_signups (offer_until) WHERE offer_until IS NOT NULL;

-- What happened to a sign-up, for its private page: signed up, confirmed,
-- waitlisted, offered, accepted, lapsed, promoted, cancelled.
CREATE TABLE focus_group_events (
    id         INTEGER PRIMARY KEY,
    signup_id  INTEGER NOT NULL REFERENCES focus_group_signups (id) ON DELETE CASCADE,
    event      TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    mailed_at  INTEGER
);
CREATE INDEX focus_group_events_signup ON focus_group_events (signup_id, id);
-- The mailer's scan: moves not yet told to their person.
CREATE INDEX focus_group_events_unmailed ON focus_group_events (id) WHERE mailed_at IS NULL;

-- What stays of a session's sign-ups once their personal data is erased
-- (a retention period after it ended): how many signed up and attended,
-- in all ('') and by recruitment category. Small groups are suppressed
-- where the counts are shown.
CREATE TABLE focus_group_counts (
    focus_group_id INTEGER NOT NULL REFERENCES focus_groups (id) ON DELETE CASCADE,
    category       TEXT    NOT NULL,
    signed_up      INTEGER NOT NULL,
    attended       INTEGER NOT NULL,
    PRIMARY KEY (focus_group_id, category)
);

-- The mail of a sign-up in the outbox: its reminders (due at their time)
-- are withdrawn when the sign-up is cancelled, so that nobody is reminded
-- of a session they left; all of it (it holds their address) goes when
-- their personal data is erased.
CREATE TABLE focus_group_mails (
    signup_id INTEGER NOT NULL REFERENCES focus_group_signups (id) ON DELETE CASCADE,
    outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    PRIMARY KEY (signup_id, outbox_id)
);

-- The notes an organiser writes after a session; each enters the input
-- pipeline (channel focus_group_notes) with the session's area and theme.
CREATE TABLE focus_group_notes (
    id             INTEGER PRIMARY KEY,
    focus_group_id INTEGER NOT NULL REFERENCES focus_groups (id) ON DELETE CASCADE,
    locale         TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    created_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX focus_group_notes_session ON focus_group_notes (focus_group_id, id);
