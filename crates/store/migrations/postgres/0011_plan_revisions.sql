-- A counter per project that moves, in the same transaction, with every
-- change to what the project's schedule is computed from: the project's
-- key, start, status date and calendar, its tasks, links, calendars and
-- assignments, and its workspace's resources. Triggers keep it, so no
-- write path can forget it; a cached schedule is current exactly while the
-- counter is unchanged. Derived
-- state: not backed up. No foreign key, so a deleted project's counter
-- outlives it. The triggers run BEFORE the row changes, so a writer
-- takes the counter's row lock before any plan row's and two writers to
-- one plan queue instead of deadlocking.

CREATE TABLE plan_revisions (
    project_id BIGINT PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO plan_revisions (project_id, revision) SELECT id, 1 FROM projects;

CREATE FUNCTION plan_bump(projects BIGINT[]) RETURNS void LANGUAGE sql AS $$
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id = ANY(projects);
$$;

CREATE FUNCTION plan_touch_project() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO plan_revisions (project_id, revision) VALUES (NEW.id, 1)
            ON CONFLICT (project_id) DO UPDATE SET revision = plan_revisions.revision + 1;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM plan_bump(ARRAY[NEW.id]);
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$;

-- Rows with a project_id of their own: tasks, dependencies, calendars.
CREATE FUNCTION plan_touch_by_project() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM plan_bump(ARRAY[NEW.project_id]);
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM plan_bump(ARRAY[OLD.project_id, NEW.project_id]);
        RETURN NEW;
    END IF;
    PERFORM plan_bump(ARRAY[OLD.project_id]);
    RETURN OLD;
END;
$$;

CREATE FUNCTION plan_touch_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM plan_bump(ARRAY(SELECT project_id FROM tasks WHERE id = NEW.task_id));
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM plan_bump(ARRAY(SELECT project_id FROM tasks WHERE id IN (OLD.task_id, NEW.task_id)));
        RETURN NEW;
    END IF;
    PERFORM plan_bump(ARRAY(SELECT project_id FROM tasks WHERE id = OLD.task_id));
    RETURN OLD;
END;
$$;

CREATE FUNCTION plan_touch_resource() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM plan_bump(ARRAY(SELECT id FROM projects WHERE workspace_id = NEW.workspace_id));
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM plan_bump(ARRAY(SELECT id FROM projects WHERE workspace_id IN (OLD.workspace_id, NEW.workspace_id)));
        RETURN NEW;
    END IF;
    PERFORM plan_bump(ARRAY(SELECT id FROM projects WHERE workspace_id = OLD.workspace_id));
    RETURN OLD;
END;
$$;

-- Only the project's columns a schedule reads: its counters, name, budget
-- and report are not plan.
CREATE TRIGGER plan_projects BEFORE INSERT OR UPDATE OF workspace_id, key, start_at, status_date, calendar_json
    ON projects FOR EACH ROW EXECUTE FUNCTION plan_touch_project();
CREATE TRIGGER plan_tasks BEFORE INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION plan_touch_by_project();
CREATE TRIGGER plan_dependencies BEFORE INSERT OR UPDATE OR DELETE ON dependencies
    FOR EACH ROW EXECUTE FUNCTION plan_touch_by_project();
CREATE TRIGGER plan_calendars BEFORE INSERT OR UPDATE OR DELETE ON project_calendars
    FOR EACH ROW EXECUTE FUNCTION plan_touch_by_project();
CREATE TRIGGER plan_assignments BEFORE INSERT OR UPDATE OR DELETE ON assignments
    FOR EACH ROW EXECUTE FUNCTION plan_touch_assignment();
CREATE TRIGGER plan_resources BEFORE INSERT OR UPDATE OR DELETE ON resources
    FOR EACH ROW EXECUTE FUNCTION plan_touch_resource();
