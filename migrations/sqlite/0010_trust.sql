-- Trust: a session remembers when it was last used, so that a privileged
-- one ends after hours idle; an addressed input's text is published with
-- its response only when the reviewer chose to quote what it answers.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE responses ADD COLUMN quotes INTEGER NOT NULL DEFAULT 0;
-- Recovery codes were unkeyed hashes of 50-bit codes: they stop working
-- (an admin resets a lost second factor; a new enrolment hands out new ones).
DELETE FROM recovery_codes;
