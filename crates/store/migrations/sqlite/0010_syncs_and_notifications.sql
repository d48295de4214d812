-- Weekly syncs (agenda snapshot, attendees, notes, action items) and
-- in-app notifications.

CREATE TABLE syncs (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    -- The agenda covers activity and decision-log ids in (after, upto].
    activity_after BIGINT NOT NULL,
    activity_upto BIGINT NOT NULL,
    decisions_after BIGINT NOT NULL,
    decisions_upto BIGINT NOT NULL,
    agenda_json TEXT NOT NULL,
    snapshot_json TEXT NOT NULL,
    attendees_json TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX syncs_product ON syncs (product_id, id);

CREATE TABLE sync_actions (
    id INTEGER PRIMARY KEY,
    sync_id BIGINT NOT NULL REFERENCES syncs(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    due TEXT,
    project_id BIGINT REFERENCES projects(id) ON DELETE SET NULL,
    task_id BIGINT REFERENCES tasks(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sync_actions_sync ON sync_actions (sync_id, id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    text TEXT NOT NULL,
    link TEXT NOT NULL,
    read_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, id);
