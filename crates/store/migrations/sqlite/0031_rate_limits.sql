-- Rate limits shared by every server on one PostgreSQL database: a fixed
-- one-minute window per bucket (`write:token:12`, `sign-in:addr:10.0.0.7`).
-- SQLite, which one server uses, counts in memory and leaves this empty.
CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
