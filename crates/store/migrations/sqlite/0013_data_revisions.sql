-- A second counter beside each project's plan revision, moved in the same
-- transaction by every change to the project's other figures a dashboard
-- shows: its risks (and their tasks), time entries, baselines, change
-- requests and status reports, its product's owner and the e-mail of
-- anyone in its workspace. A dashboard computed at (plan revision, data
-- revision, day) is current exactly while both counters are unchanged.
-- On the plan's row, so a writer of plan and figures takes one lock.

ALTER TABLE plan_revisions ADD COLUMN data_revision BIGINT NOT NULL DEFAULT 1;

CREATE TRIGGER data_risks_insert AFTER INSERT ON risks BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id = NEW.project_id;
END;
CREATE TRIGGER data_risks_update AFTER UPDATE ON risks BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id IN (OLD.project_id, NEW.project_id);
END;
CREATE TRIGGER data_risks_delete AFTER DELETE ON risks BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id = OLD.project_id;
END;

CREATE TRIGGER data_risk_tasks_insert AFTER INSERT ON risk_tasks BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1
        WHERE project_id = (SELECT project_id FROM risks WHERE id = NEW.risk_id);
END;
CREATE TRIGGER data_risk_tasks_delete AFTER DELETE ON risk_tasks BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1
        WHERE project_id = (SELECT project_id FROM risks WHERE id = OLD.risk_id);
END;

CREATE TRIGGER data_time_entries_insert AFTER INSERT ON time_entries BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id = NEW.project_id;
END;
CREATE TRIGGER data_time_entries_update AFTER UPDATE ON time_entries BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id IN (OLD.project_id, NEW.project_id);
END;
CREATE TRIGGER data_time_entries_delete AFTER DELETE ON time_entries BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id = OLD.project_id;
END;

CREATE TRIGGER data_baselines_insert AFTER INSERT ON baselines BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id = NEW.project_id;
END;
CREATE TRIGGER data_baselines_update AFTER UPDATE ON baselines BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id IN (OLD.project_id, NEW.project_id);
END;
CREATE TRIGGER data_baselines_delete AFTER DELETE ON baselines BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id = OLD.project_id;
END;

-- A baseline's task rows are written only with its own row (and cascade
-- from its deletion or a task's), so they need no trigger of their own.

CREATE TRIGGER data_change_requests_insert AFTER INSERT ON change_requests BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id = NEW.project_id;
END;
CREATE TRIGGER data_change_requests_update AFTER UPDATE ON change_requests BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id IN (OLD.project_id, NEW.project_id);
END;
CREATE TRIGGER data_change_requests_delete AFTER DELETE ON change_requests BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id = OLD.project_id;
END;

CREATE TRIGGER data_status_reports_insert AFTER INSERT ON status_reports BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id = NEW.project_id;
END;
CREATE TRIGGER data_status_reports_update AFTER UPDATE ON status_reports BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id IN (OLD.project_id, NEW.project_id);
END;
CREATE TRIGGER data_status_reports_delete AFTER DELETE ON status_reports BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1 WHERE project_id = OLD.project_id;
END;

CREATE TRIGGER data_products_owner AFTER UPDATE OF owner_id ON products BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1
        WHERE project_id IN (SELECT id FROM projects WHERE product_id = NEW.id);
END;

CREATE TRIGGER data_users_email AFTER UPDATE OF email ON users BEGIN
    UPDATE plan_revisions SET data_revision = data_revision + 1
        WHERE project_id IN (SELECT p.id FROM projects p JOIN memberships m ON m.workspace_id = p.workspace_id
                             WHERE m.user_id = NEW.id);
END;

-- One object's history (a task page's) without reading its workspace's.
CREATE INDEX activity_subject ON activity (subject_type, subject_id, id);
