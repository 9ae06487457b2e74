-- Privileged roles and the second factor they require.
--
-- A role is granted to an account with a scope: a moderator for one area, a
-- policymaker for one theme, an admin for everything. One row per grant.
CREATE TABLE roles (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL CHECK (role IN ('moderator', 'policymaker', 'admin')),
    area_id    BIGINT  REFERENCES areas (id) ON DELETE CASCADE,
    theme_id   BIGINT  REFERENCES themes (id) ON DELETE CASCADE,
    granted_by BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    granted_at BIGINT  NOT NULL,
    CHECK (
        (role = 'moderator' AND area_id IS NOT NULL AND theme_id IS NULL)
        OR (role = 'policymaker' AND theme_id IS NOT NULL AND area_id IS NULL)
        OR (role = 'admin' AND area_id IS NULL AND theme_id IS NULL)
    )
);
-- One grant of a role and scope per account; also the lookup of an
-- account's roles on every privileged request.
CREATE UNIQUE INDEX roles_grant ON roles (user_id, role, COALESCE(area_id, 0), COALESCE(theme_id, 0));

-- TOTP (RFC 6238) secrets. `confirmed_at` is NULL while the account is
-- enrolling; `last_step` is the last time step accepted, so a code cannot
-- be used twice.
CREATE TABLE totp_credentials (
    user_id      BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT  NOT NULL DEFAULT 0
);

-- Ten single-use recovery codes per enrolment, stored as SHA-256 hashes.
CREATE TABLE recovery_codes (
    user_id   BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT    NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- A session opened by a password alone, for an account with a second
-- factor, waits at 'password' until the code is given; 'complete' sessions
-- are signed in. `second_factor_at` says when this session proved the
-- second factor (privileged screens need it).
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'complete' CHECK (stage IN ('password', 'complete'));
ALTER TABLE sessions ADD COLUMN second_factor_at BIGINT;
