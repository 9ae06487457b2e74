-- Residents' accounts and their sessions.
--
-- Personal data in this file: users.display_name, users.email (listed in
-- app/src/auth/db.rs, PERSONAL_DATA, for export and deletion).

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    display_name     TEXT    NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    -- display_name folded to lower case: unique, and how residents sign in.
    display_name_key TEXT    NOT NULL UNIQUE,
    email            TEXT    UNIQUE,
    -- argon2id, with its parameters in the PHC string.
    password_hash    TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);

-- Sessions live in the database so that every server process shares them.
-- Only a SHA-256 hash of the token is stored: a copy of the table does not
-- let anyone sign in.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
-- Signing a user out everywhere, and deleting their account.
CREATE INDEX sessions_user ON sessions (user_id);
