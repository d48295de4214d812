-- A task's notes, in Markdown (MS Project's Notes field).
ALTER TABLE tasks ADD COLUMN notes TEXT NOT NULL DEFAULT '';
