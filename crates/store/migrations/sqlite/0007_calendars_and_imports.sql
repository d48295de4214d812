-- Calendars besides the project's own (task calendars, like MS Project's),
-- and what an imported MS Project plan needs to schedule as it did there:
-- manual dates, resume and stop of split progress, a start bound from
-- outside the project, elapsed levelling delays and the lag's kind.

CREATE TABLE project_calendars (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    calendar_json TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (project_id, name)
);

ALTER TABLE tasks ADD COLUMN calendar_id BIGINT REFERENCES project_calendars(id) ON DELETE SET NULL;
ALTER TABLE tasks ADD COLUMN slack_calendar_id BIGINT REFERENCES project_calendars(id) ON DELETE SET NULL;
ALTER TABLE tasks ADD COLUMN manual_start TEXT;
ALTER TABLE tasks ADD COLUMN manual_finish TEXT;
ALTER TABLE tasks ADD COLUMN resume_at TEXT;
ALTER TABLE tasks ADD COLUMN stop_at TEXT;
ALTER TABLE tasks ADD COLUMN external_start TEXT;
ALTER TABLE tasks ADD COLUMN leveling_delay_elapsed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dependencies ADD COLUMN lag_kind TEXT NOT NULL DEFAULT 'working';
ALTER TABLE resources ADD COLUMN calendar_json TEXT;
