-- E-mail: the outbox of messages to send, written in the transaction of
-- what they tell (a notification, an invitation, a password reset) and
-- rendered when sent; sent by a background worker with retries.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    -- notification, digest, invitation or password_reset.
    kind TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    -- Whom to write when there is no user yet (invitations).
    to_address TEXT,
    notification_id BIGINT REFERENCES notifications(id) ON DELETE CASCADE,
    invitation_id BIGINT REFERENCES invitations(id) ON DELETE CASCADE,
    -- A digest's notifications, as a JSON list of ids.
    items TEXT,
    -- The link's secret (invitation or reset token) until the mail is
    -- sent; cleared after.
    secret TEXT,
    -- Where links point when the server has no public address set (the
    -- address the request that caused the mail came to).
    link_base TEXT,
    -- pending, sent or failed.
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT,
    claimed_until BIGINT,
    subject TEXT,
    message_id TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_at);

-- How each person hears of each reason: instant, daily or off (no row:
-- the reason's default).
CREATE TABLE notification_settings (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    delivery TEXT NOT NULL,
    PRIMARY KEY (user_id, reason)
);

-- The one-click unsubscribe links, one per person and reason.
CREATE TABLE unsubscribe_tokens (
    token TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    UNIQUE (user_id, reason)
);

-- Password reset links: single use, expiring; the token is kept hashed.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- When a notification went out by mail (instantly or in a digest).
ALTER TABLE notifications ADD COLUMN mailed_at BIGINT;
-- When each person's last daily digest was sent.
ALTER TABLE users ADD COLUMN digest_sent_at BIGINT;

-- Notifications from before mail existed are not mailed (no digest of
-- the whole history after an upgrade).
UPDATE notifications SET mailed_at = created_at;
