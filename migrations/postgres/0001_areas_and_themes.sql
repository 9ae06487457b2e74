-- Areas (neighbourhoods) and themes (policy themes), each with texts per
-- locale. `source_locale` names the language the texts were first written
-- in; a reader without a translation sees that one.

CREATE TABLE areas (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug          TEXT    NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 64),
    source_locale TEXT    NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT  NOT NULL DEFAULT (floor(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT)
);

CREATE TABLE area_names (
    area_id BIGINT NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    locale  TEXT   NOT NULL,
    name    TEXT   NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    PRIMARY KEY (area_id, locale)
);

CREATE TABLE themes (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug          TEXT    NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 64),
    source_locale TEXT    NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT  NOT NULL DEFAULT (floor(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT)
);

CREATE TABLE theme_texts (
    theme_id    BIGINT NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    locale      TEXT   NOT NULL,
    name        TEXT   NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (theme_id, locale)
);
