-- Tasks (the WBS: a parent and a position among siblings) and the
-- dependencies between them. Durations are working minutes; dates are local
-- date-times as text.

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    parent_id BIGINT REFERENCES tasks(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    milestone BIGINT NOT NULL DEFAULT 0,
    duration_minutes BIGINT NOT NULL,
    percent_complete BIGINT NOT NULL DEFAULT 0,
    constraint_type TEXT NOT NULL,
    constraint_date TEXT,
    deadline TEXT,
    story_points REAL,
    status TEXT NOT NULL,
    feature_id BIGINT REFERENCES features(id) ON DELETE SET NULL,
    fixed_cost_minor BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (project_id, number)
);
CREATE INDEX tasks_project ON tasks (project_id, parent_id, position);
CREATE INDEX tasks_feature ON tasks (feature_id);

CREATE TABLE dependencies (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    predecessor_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    successor_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    lag_minutes BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (predecessor_id, successor_id)
);
CREATE INDEX dependencies_project ON dependencies (project_id, id);
