-- Comments in Markdown on any object. The subject is named by type and id
-- (no foreign key: subjects live in many tables); the server checks the
-- subject exists and is in the caller's workspace before writing.

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX comments_subject ON comments (subject_type, subject_id, id);
