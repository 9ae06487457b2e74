-- Anonymous participation, password reset, and the mail outbox.
--
-- A participant is a visitor who took part without an account. Each device
-- holds a random token in an HttpOnly cookie; the database keeps only its
-- hash (`participant_tokens`). `restore_hash` is the hash of the private
-- link that adds another device. `user_id` is set when a resident claims
-- their anonymous contributions by signing up (or in) on a device that
-- holds a token.
CREATE TABLE participants (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    restore_hash TEXT    UNIQUE,
    user_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL
);
-- A resident's claimed participations (export, deletion).
CREATE INDEX participants_user ON participants (user_id);

CREATE TABLE participant_tokens (
    token_hash     TEXT    PRIMARY KEY,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    created_at     BIGINT NOT NULL
);
CREATE INDEX participant_tokens_participant ON participant_tokens (participant_id);

-- Password reset tokens: single-use, expiring, stored as SHA-256 hashes.
CREATE TABLE password_resets (
    token_hash TEXT    PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT 
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Mail waiting to be sent (by SMTP when configured, else to the log). Kept
-- in the database so that any server process can send it and nothing is
-- lost when one stops. The recipient and body are personal data: a sent
-- message is erased (recipient and body emptied) once delivered.
CREATE TABLE outbox (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient    TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    user_id      BIGINT REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    next_attempt BIGINT NOT NULL,
    sent_at      BIGINT,
    last_error   TEXT
);
-- The sender's scan: unsent messages that are due.
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt);
