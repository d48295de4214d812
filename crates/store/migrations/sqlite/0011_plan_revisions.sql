-- A counter per project that moves, in the same transaction, with every
-- change to what the project's schedule is computed from: the project's
-- key, start, status date and calendar, its tasks, links, calendars and
-- assignments, and its workspace's resources. Triggers keep it, so no
-- write path can forget it; a cached schedule is current exactly while the
-- counter is unchanged. Derived
-- state: not backed up. No foreign key, so a deleted project's counter
-- outlives it and a project reusing its id starts past it.

CREATE TABLE plan_revisions (
    project_id BIGINT PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO plan_revisions (project_id, revision) SELECT id, 1 FROM projects;

CREATE TRIGGER plan_projects_insert AFTER INSERT ON projects BEGIN
    INSERT INTO plan_revisions (project_id, revision) VALUES (NEW.id, 1)
        ON CONFLICT (project_id) DO UPDATE SET revision = revision + 1;
END;
-- Only the project's columns a schedule reads: its counters, name, budget
-- and report are not plan.
CREATE TRIGGER plan_projects_update AFTER UPDATE OF workspace_id, key, start_at, status_date, calendar_json
    ON projects BEGIN
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id = NEW.id;
END;

CREATE TRIGGER plan_tasks_insert AFTER INSERT ON tasks BEGIN
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id = NEW.project_id;
END;
CREATE TRIGGER plan_tasks_update AFTER UPDATE ON tasks BEGIN
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id IN (OLD.project_id, NEW.project_id);
END;
CREATE TRIGGER plan_tasks_delete AFTER DELETE ON tasks BEGIN
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id = OLD.project_id;
END;

CREATE TRIGGER plan_dependencies_insert AFTER INSERT ON dependencies BEGIN
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id = NEW.project_id;
END;
CREATE TRIGGER plan_dependencies_update AFTER UPDATE ON dependencies BEGIN
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id IN (OLD.project_id, NEW.project_id);
END;
CREATE TRIGGER plan_dependencies_delete AFTER DELETE ON dependencies BEGIN
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id = OLD.project_id;
END;

CREATE TRIGGER plan_calendars_insert AFTER INSERT ON project_calendars BEGIN
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id = NEW.project_id;
END;
CREATE TRIGGER plan_calendars_update AFTER UPDATE ON project_calendars BEGIN
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id IN (OLD.project_id, NEW.project_id);
END;
CREATE TRIGGER plan_calendars_delete AFTER DELETE ON project_calendars BEGIN
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id = OLD.project_id;
END;

CREATE TRIGGER plan_assignments_insert AFTER INSERT ON assignments BEGIN
    UPDATE plan_revisions SET revision = revision + 1
        WHERE project_id = (SELECT project_id FROM tasks WHERE id = NEW.task_id);
END;
CREATE TRIGGER plan_assignments_update AFTER UPDATE ON assignments BEGIN
    UPDATE plan_revisions SET revision = revision + 1
        WHERE project_id IN (SELECT project_id FROM tasks WHERE id IN (OLD.task_id, NEW.task_id));
END;
CREATE TRIGGER plan_assignments_delete AFTER DELETE ON assignments BEGIN
    UPDATE plan_revisions SET revision = revision + 1
        WHERE project_id = (SELECT project_id FROM tasks WHERE id = OLD.task_id);
END;

CREATE TRIGGER plan_resources_insert AFTER INSERT ON resources BEGIN
    UPDATE plan_revisions SET revision = revision + 1
        WHERE project_id IN (SELECT id FROM projects WHERE workspace_id = NEW.workspace_id);
END;
CREATE TRIGGER plan_resources_update AFTER UPDATE ON resources BEGIN
    UPDATE plan_revisions SET revision = revision + 1
        WHERE project_id IN (SELECT id FROM projects WHERE workspace_id IN (OLD.workspace_id, NEW.workspace_id));
END;
CREATE TRIGGER plan_resources_delete AFTER DELETE ON resources BEGIN
    UPDATE plan_revisions SET revision = revision + 1
        WHERE project_id IN (SELECT id FROM projects WHERE workspace_id = OLD.workspace_id);
END;
