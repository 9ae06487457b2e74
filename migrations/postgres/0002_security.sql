-- Rate limits kept in the database, so that they hold across processes:
-- one row per counted attempt, in a named bucket (e.g. "signin:ip:<hash>").
CREATE TABLE rate_limit_hits (
    bucket TEXT   NOT NULL,
    hit_at BIGINT NOT NULL
);
-- Counting a bucket's hits in a window, and purging old ones.
CREATE INDEX rate_limit_hits_bucket_time ON rate_limit_hits (bucket, hit_at);

-- The audit log: who did what to what, when, from where (a keyed hash of
-- the client address, never the address). Append-only: the triggers refuse
-- every change and deletion, whatever the code tries.
CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       BIGINT,
    action      TEXT   NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    target      TEXT   NOT NULL DEFAULT '',
    client_hash TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at);
CREATE INDEX audit_log_action_at ON audit_log (action, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Secrets the server generates itself on first start and shares between
-- its processes (e.g. the key that hashes client addresses).
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
