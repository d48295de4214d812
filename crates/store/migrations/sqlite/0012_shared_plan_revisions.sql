-- The computed plan shared per revision carries the project's row, so
-- every column of it a reader shows moves the revision too; counters and
-- the stored report still do not.
DROP TRIGGER plan_projects_update;
CREATE TRIGGER plan_projects_update AFTER UPDATE OF workspace_id, key, name, product_id, manager_id, sponsor_id, methodology, status, start_at, status_date, target_finish, budget_minor, currency, calendar_json
    ON projects BEGIN
    UPDATE plan_revisions SET revision = revision + 1 WHERE project_id = NEW.id;
END;
