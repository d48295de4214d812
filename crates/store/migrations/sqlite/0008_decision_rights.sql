-- Each workspace's decision-rights matrix (absent: the design's defaults).

CREATE TABLE decision_matrices (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    rows_json TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);
