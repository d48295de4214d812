-- The rest of the project side: the project's calendar and RAG thresholds,
-- task progress, estimates and sprints, resources and assignments, time
-- entries, baselines, sprints, risks, defects, Monte Carlo runs and status
-- reports. Days are ISO dates as text; money integer minor units.

ALTER TABLE projects ADD COLUMN calendar_json TEXT;
ALTER TABLE projects ADD COLUMN rag_json TEXT;
ALTER TABLE projects ADD COLUMN distribution TEXT NOT NULL DEFAULT 'triangular';

CREATE TABLE sprints (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    start_on TEXT NOT NULL,
    finish_on TEXT NOT NULL,
    goal TEXT NOT NULL DEFAULT '',
    capacity_points REAL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sprints_project ON sprints (project_id, start_on);

ALTER TABLE tasks ADD COLUMN actual_start TEXT;
ALTER TABLE tasks ADD COLUMN actual_finish TEXT;
ALTER TABLE tasks ADD COLUMN remaining_minutes BIGINT;
ALTER TABLE tasks ADD COLUMN estimate_optimistic BIGINT;
ALTER TABLE tasks ADD COLUMN estimate_likely BIGINT;
ALTER TABLE tasks ADD COLUMN estimate_pessimistic BIGINT;
ALTER TABLE tasks ADD COLUMN sprint_id BIGINT REFERENCES sprints(id) ON DELETE SET NULL;
ALTER TABLE tasks ADD COLUMN priority BIGINT NOT NULL DEFAULT 500;
ALTER TABLE tasks ADD COLUMN leveling_delay_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN done_at BIGINT;
CREATE INDEX tasks_sprint ON tasks (sprint_id);

CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    max_units BIGINT NOT NULL,
    rate_minor BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    resource_id BIGINT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    units BIGINT NOT NULL,
    UNIQUE (task_id, resource_id)
);
CREATE INDEX assignments_resource ON assignments (resource_id);

CREATE TABLE time_entries (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    resource_id BIGINT REFERENCES resources(id) ON DELETE SET NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    day TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    cost_minor BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX time_entries_project ON time_entries (project_id, day);
CREATE INDEX time_entries_user ON time_entries (user_id, day);

CREATE TABLE baselines (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    UNIQUE (project_id, number)
);

CREATE TABLE baseline_tasks (
    baseline_id BIGINT NOT NULL REFERENCES baselines(id) ON DELETE CASCADE,
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    start_at TEXT NOT NULL,
    finish_at TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    work_minutes BIGINT NOT NULL,
    cost_minor BIGINT NOT NULL,
    story_points REAL,
    PRIMARY KEY (baseline_id, task_id)
);

CREATE TABLE risks (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    probability BIGINT NOT NULL,
    impact BIGINT NOT NULL,
    cost_impact_minor BIGINT NOT NULL DEFAULT 0,
    owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    response TEXT NOT NULL,
    mitigation TEXT NOT NULL DEFAULT '',
    trigger_text TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (project_id, number)
);

CREATE TABLE risk_tasks (
    risk_id BIGINT NOT NULL REFERENCES risks(id) ON DELETE CASCADE,
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    PRIMARY KEY (risk_id, task_id)
);

CREATE TABLE defects (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    feature_id BIGINT REFERENCES features(id) ON DELETE SET NULL,
    task_id BIGINT REFERENCES tasks(id) ON DELETE SET NULL,
    found_in_release_id BIGINT REFERENCES releases(id) ON DELETE SET NULL,
    fixed_in_release_id BIGINT REFERENCES releases(id) ON DELETE SET NULL,
    found_after_release BIGINT NOT NULL DEFAULT 0,
    reporter_id BIGINT NOT NULL REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (project_id, number)
);

CREATE TABLE monte_carlo_runs (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    iterations BIGINT NOT NULL,
    seed BIGINT NOT NULL,
    distribution TEXT NOT NULL,
    inputs_json TEXT NOT NULL,
    results_json TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX monte_carlo_project ON monte_carlo_runs (project_id, id);

CREATE TABLE status_reports (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    rag_json TEXT NOT NULL,
    facts_json TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES users(id),
    published_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX status_reports_project ON status_reports (project_id, id);
