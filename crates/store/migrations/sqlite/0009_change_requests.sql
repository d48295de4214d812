-- Change requests and the decision log.

CREATE TABLE change_requests (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    edits_json TEXT NOT NULL,
    status TEXT NOT NULL,
    dimensions_json TEXT NOT NULL DEFAULT '[]',
    impact_json TEXT,
    required_json TEXT NOT NULL DEFAULT '[]',
    plan_fingerprint TEXT,
    round BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT NOT NULL REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (project_id, number)
);

CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    round BIGINT NOT NULL DEFAULT 0,
    user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    role TEXT,
    outcome TEXT NOT NULL,
    rationale TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX decisions_workspace ON decisions (workspace_id, id);
CREATE INDEX decisions_subject ON decisions (subject_type, subject_id, round);
