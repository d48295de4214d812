-- Outbound webhooks of a workspace. The secret signs each delivery
-- (Standard Webhooks) so it is kept as is; it is shown once, when made.
CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    format TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    secret TEXT NOT NULL,
    -- When deliveries started failing without a success since (NULL: all
    -- well); a day of it disables the endpoint.
    failing_since BIGINT,
    -- Why the endpoint was disabled by Tandem (NULL: by an admin or not).
    disabled_reason TEXT,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX webhooks_workspace ON webhooks (workspace_id);

-- The events an endpoint is subscribed to: an object type (`task`), one
-- action (`task.updated`) or every event (`*`).
CREATE TABLE webhook_events (
    webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    PRIMARY KEY (webhook_id, event)
);

-- The outbox and log of deliveries: written in the transaction of the
-- change they tell of, sent by a background worker, retried with backoff.
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    -- The body sent (the same on every attempt and redelivery).
    payload TEXT NOT NULL,
    -- pending, delivered or failed.
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    -- When the next attempt is due (pending only).
    next_at BIGINT,
    -- A worker holds the delivery until then (several servers share the
    -- queue).
    claimed_until BIGINT,
    response_status BIGINT,
    response_body TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    last_attempt_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- Each person's secret calendar feed address; rotating it replaces the
-- token, and the old address is gone.
CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
