-- The computed plan shared per revision carries the project's row, so
-- every column of it a reader shows moves the revision too; counters and
-- the stored report still do not.
DROP TRIGGER plan_projects ON projects;
CREATE TRIGGER plan_projects BEFORE INSERT OR UPDATE OF workspace_id, key, name, product_id, manager_id, sponsor_id, methodology, status, start_at, status_date, target_finish, budget_minor, currency, calendar_json
    ON projects FOR EACH ROW EXECUTE FUNCTION plan_touch_project();
