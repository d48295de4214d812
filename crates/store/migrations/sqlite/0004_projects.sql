-- The project side, first table: projects. Dates are local date-times in
-- the project's calendar as text (`2026-03-02T08:00:00`), like MS Project;
-- money is integer minor units of the project's currency.

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    product_id BIGINT REFERENCES products(id) ON DELETE SET NULL,
    manager_id BIGINT NOT NULL REFERENCES users(id),
    sponsor_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    methodology TEXT NOT NULL,
    status TEXT NOT NULL,
    start_at TEXT NOT NULL,
    status_date TEXT,
    target_finish TEXT,
    budget_minor BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    next_task_number BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, key)
);
CREATE INDEX projects_product ON projects (product_id);
