-- A second counter beside each project's plan revision, moved in the same
-- transaction by every change to the project's other figures a dashboard
-- shows: its risks (and their tasks), time entries, baselines, change
-- requests and status reports, its product's owner and the e-mail of
-- anyone in its workspace. A dashboard computed at (plan revision, data
-- revision, day) is current exactly while both counters are unchanged.
-- On the plan's row, so a writer of plan and figures takes one row lock,
-- before the rows it changes (BEFORE triggers, as for the plan).

ALTER TABLE plan_revisions ADD COLUMN data_revision BIGINT NOT NULL DEFAULT 1;

CREATE FUNCTION data_bump(projects BIGINT[]) RETURNS void LANGUAGE sql AS $$
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id = ANY(projects);
$$;

-- Rows with a project_id of their own.
CREATE FUNCTION data_touch_by_project() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM data_bump(ARRAY[NEW.project_id]);
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM data_bump(ARRAY[OLD.project_id, NEW.project_id]);
        RETURN NEW;
    END IF;
    PERFORM data_bump(ARRAY[OLD.project_id]);
    RETURN OLD;
END;
$$;

CREATE FUNCTION data_touch_risk_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM data_bump(ARRAY(SELECT project_id FROM risks WHERE id = NEW.risk_id));
        RETURN NEW;
    END IF;
    PERFORM data_bump(ARRAY(SELECT project_id FROM risks WHERE id = OLD.risk_id));
    RETURN OLD;
END;
$$;

CREATE FUNCTION data_touch_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM data_bump(ARRAY(SELECT id FROM projects WHERE product_id = NEW.id));
    RETURN NEW;
END;
$$;

CREATE FUNCTION data_touch_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM data_bump(ARRAY(SELECT p.id FROM projects p JOIN memberships m ON m.workspace_id = p.workspace_id
                            WHERE m.user_id = NEW.id));
    RETURN NEW;
END;
$$;

CREATE TRIGGER data_risks BEFORE INSERT OR UPDATE OR DELETE ON risks
    FOR EACH ROW EXECUTE FUNCTION data_touch_by_project();
CREATE TRIGGER data_risk_tasks BEFORE INSERT OR DELETE ON risk_tasks
    FOR EACH ROW EXECUTE FUNCTION data_touch_risk_task();
CREATE TRIGGER data_time_entries BEFORE INSERT OR UPDATE OR DELETE ON time_entries
    FOR EACH ROW EXECUTE FUNCTION data_touch_by_project();
-- A baseline's task rows are written only with its own row (and cascade
-- from its deletion or a task's), so they need no trigger of their own.
CREATE TRIGGER data_baselines BEFORE INSERT OR UPDATE OR DELETE ON baselines
    FOR EACH ROW EXECUTE FUNCTION data_touch_by_project();
CREATE TRIGGER data_change_requests BEFORE INSERT OR UPDATE OR DELETE ON change_requests
    FOR EACH ROW EXECUTE FUNCTION data_touch_by_project();
CREATE TRIGGER data_status_reports BEFORE INSERT OR UPDATE OR DELETE ON status_reports
    FOR EACH ROW EXECUTE FUNCTION data_touch_by_project();
CREATE TRIGGER data_products_owner BEFORE UPDATE OF owner_id ON products
    FOR EACH ROW EXECUTE FUNCTION data_touch_product();
CREATE TRIGGER data_users_email BEFORE UPDATE OF email ON users
    FOR EACH ROW EXECUTE FUNCTION data_touch_user();

-- One object's history (a task page's) without reading its workspace's.
CREATE INDEX activity_subject ON activity (subject_type, subject_id, id);
