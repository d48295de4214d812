-- One search over what people look for: features, feedback, tasks, risks,
-- defects, change requests, releases, objectives, comments and decisions.
-- `search_entries` holds each object's key, title and words, kept by
-- triggers in the transaction of the write, so no write path can forget
-- it; `search_fts` is SQLite's full-text index over it (FTS5, external
-- content, prefix indexes for the first letters people type). Derived
-- state: not backed up, rebuilt by the triggers as rows are restored.

CREATE TABLE search_entries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    workspace_id BIGINT NOT NULL,
    -- The product or project the object lives in (none for comments and
    -- decisions, which name their subject instead).
    scope_id BIGINT,
    subject_type TEXT,
    subject_id BIGINT,
    key TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, object_id)
);

-- An exact key is looked up, not searched.
CREATE INDEX search_entries_key ON search_entries (key);
CREATE VIRTUAL TABLE search_fts USING fts5(
    key, title, body,
    content = 'search_entries', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

CREATE TRIGGER search_entries_insert AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_fts (rowid, key, title, body) VALUES (NEW.id, NEW.key, NEW.title, NEW.body);
END;
CREATE TRIGGER search_entries_delete AFTER DELETE ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, key, title, body) VALUES ('delete', OLD.id, OLD.key, OLD.title, OLD.body);
END;
CREATE TRIGGER search_entries_update AFTER UPDATE ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, key, title, body) VALUES ('delete', OLD.id, OLD.key, OLD.title, OLD.body);
    INSERT INTO search_fts (rowid, key, title, body) VALUES (NEW.id, NEW.key, NEW.title, NEW.body);
END;

-- Features: PRD-12, title, description.
CREATE TRIGGER search_feature_insert AFTER INSERT ON features BEGIN
    INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, key, title, body)
    SELECT 'feature', NEW.id, NEW.workspace_id, NEW.product_id, p.key || '-' || NEW.number, NEW.title,
        substr(NEW.description, 1, 65536)
    FROM products p WHERE p.id = NEW.product_id;
END;
CREATE TRIGGER search_feature_update AFTER UPDATE OF number, title, description ON features BEGIN
    UPDATE search_entries SET key = (SELECT p.key || '-' || NEW.number FROM products p WHERE p.id = NEW.product_id),
        title = NEW.title, body = substr(NEW.description, 1, 65536)
    WHERE kind = 'feature' AND object_id = NEW.id;
END;
CREATE TRIGGER search_feature_delete AFTER DELETE ON features BEGIN
    DELETE FROM search_entries WHERE kind = 'feature' AND object_id = OLD.id;
END;

-- Feedback: the customer as its title, the text as its words.
CREATE TRIGGER search_feedback_insert AFTER INSERT ON feedback BEGIN
    INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, title, body)
    VALUES ('feedback', NEW.id, NEW.workspace_id, NEW.product_id, COALESCE(NEW.customer, ''), substr(NEW.text, 1, 65536));
END;
CREATE TRIGGER search_feedback_update AFTER UPDATE OF text, customer ON feedback BEGIN
    UPDATE search_entries SET title = COALESCE(NEW.customer, ''), body = substr(NEW.text, 1, 65536)
    WHERE kind = 'feedback' AND object_id = NEW.id;
END;
CREATE TRIGGER search_feedback_delete AFTER DELETE ON feedback BEGIN
    DELETE FROM search_entries WHERE kind = 'feedback' AND object_id = OLD.id;
END;

-- Tasks: CKT-12, name, notes.
CREATE TRIGGER search_task_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, key, title, body)
    SELECT 'task', NEW.id, NEW.workspace_id, NEW.project_id, p.key || '-' || NEW.number, NEW.name,
        substr(NEW.notes, 1, 65536)
    FROM projects p WHERE p.id = NEW.project_id;
END;
CREATE TRIGGER search_task_update AFTER UPDATE OF number, name, notes ON tasks BEGIN
    UPDATE search_entries SET key = (SELECT p.key || '-' || NEW.number FROM projects p WHERE p.id = NEW.project_id),
        title = NEW.name, body = substr(NEW.notes, 1, 65536)
    WHERE kind = 'task' AND object_id = NEW.id;
END;
CREATE TRIGGER search_task_delete AFTER DELETE ON tasks BEGIN
    DELETE FROM search_entries WHERE kind = 'task' AND object_id = OLD.id;
END;

-- Risks: key, title, and description, mitigation and trigger as words.
CREATE TRIGGER search_risk_insert AFTER INSERT ON risks BEGIN
    INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, key, title, body)
    SELECT 'risk', NEW.id, NEW.workspace_id, NEW.project_id, p.key || '-' || NEW.number, NEW.title,
        substr(NEW.description || char(10) || NEW.mitigation || char(10) || NEW.trigger_text, 1, 65536)
    FROM projects p WHERE p.id = NEW.project_id;
END;
CREATE TRIGGER search_risk_update AFTER UPDATE OF number, title, description, mitigation, trigger_text ON risks BEGIN
    UPDATE search_entries SET key = (SELECT p.key || '-' || NEW.number FROM projects p WHERE p.id = NEW.project_id),
        title = NEW.title,
        body = substr(NEW.description || char(10) || NEW.mitigation || char(10) || NEW.trigger_text, 1, 65536)
    WHERE kind = 'risk' AND object_id = NEW.id;
END;
CREATE TRIGGER search_risk_delete AFTER DELETE ON risks BEGIN
    DELETE FROM search_entries WHERE kind = 'risk' AND object_id = OLD.id;
END;

-- Defects: key, title, description.
CREATE TRIGGER search_defect_insert AFTER INSERT ON defects BEGIN
    INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, key, title, body)
    SELECT 'defect', NEW.id, NEW.workspace_id, NEW.project_id, p.key || '-' || NEW.number, NEW.title,
        substr(NEW.description, 1, 65536)
    FROM projects p WHERE p.id = NEW.project_id;
END;
CREATE TRIGGER search_defect_update AFTER UPDATE OF number, title, description ON defects BEGIN
    UPDATE search_entries SET key = (SELECT p.key || '-' || NEW.number FROM projects p WHERE p.id = NEW.project_id),
        title = NEW.title, body = substr(NEW.description, 1, 65536)
    WHERE kind = 'defect' AND object_id = NEW.id;
END;
CREATE TRIGGER search_defect_delete AFTER DELETE ON defects BEGIN
    DELETE FROM search_entries WHERE kind = 'defect' AND object_id = OLD.id;
END;

-- Change requests: key, title, description.
CREATE TRIGGER search_change_request_insert AFTER INSERT ON change_requests BEGIN
    INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, key, title, body)
    SELECT 'change_request', NEW.id, NEW.workspace_id, NEW.project_id, p.key || '-' || NEW.number, NEW.title,
        substr(NEW.description, 1, 65536)
    FROM projects p WHERE p.id = NEW.project_id;
END;
CREATE TRIGGER search_change_request_update AFTER UPDATE OF number, title, description ON change_requests BEGIN
    UPDATE search_entries SET key = (SELECT p.key || '-' || NEW.number FROM projects p WHERE p.id = NEW.project_id),
        title = NEW.title, body = substr(NEW.description, 1, 65536)
    WHERE kind = 'change_request' AND object_id = NEW.id;
END;
CREATE TRIGGER search_change_request_delete AFTER DELETE ON change_requests BEGIN
    DELETE FROM search_entries WHERE kind = 'change_request' AND object_id = OLD.id;
END;

-- Releases: name and notes.
CREATE TRIGGER search_release_insert AFTER INSERT ON releases BEGIN
    INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, title, body)
    VALUES ('release', NEW.id, NEW.workspace_id, NEW.product_id, NEW.name, substr(NEW.notes, 1, 65536));
END;
CREATE TRIGGER search_release_update AFTER UPDATE OF name, notes ON releases BEGIN
    UPDATE search_entries SET title = NEW.name, body = substr(NEW.notes, 1, 65536)
    WHERE kind = 'release' AND object_id = NEW.id;
END;
CREATE TRIGGER search_release_delete AFTER DELETE ON releases BEGIN
    DELETE FROM search_entries WHERE kind = 'release' AND object_id = OLD.id;
END;

-- Objectives: title and period.
CREATE TRIGGER search_objective_insert AFTER INSERT ON objectives BEGIN
    INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, title, body)
    VALUES ('objective', NEW.id, NEW.workspace_id, NEW.product_id, NEW.title, NEW.period);
END;
CREATE TRIGGER search_objective_update AFTER UPDATE OF title, period ON objectives BEGIN
    UPDATE search_entries SET title = NEW.title, body = NEW.period WHERE kind = 'objective' AND object_id = NEW.id;
END;
CREATE TRIGGER search_objective_delete AFTER DELETE ON objectives BEGIN
    DELETE FROM search_entries WHERE kind = 'objective' AND object_id = OLD.id;
END;

-- Comments: their words, and the subject they are on.
CREATE TRIGGER search_comment_insert AFTER INSERT ON comments BEGIN
    INSERT INTO search_entries (kind, object_id, workspace_id, subject_type, subject_id, body)
    VALUES ('comment', NEW.id, NEW.workspace_id, NEW.subject_type, NEW.subject_id, substr(NEW.body, 1, 65536));
END;
CREATE TRIGGER search_comment_update AFTER UPDATE OF body ON comments BEGIN
    UPDATE search_entries SET body = substr(NEW.body, 1, 65536) WHERE kind = 'comment' AND object_id = NEW.id;
END;
CREATE TRIGGER search_comment_delete AFTER DELETE ON comments BEGIN
    DELETE FROM search_entries WHERE kind = 'comment' AND object_id = OLD.id;
END;

-- Decisions: the outcome and the rationale, and the subject decided.
CREATE TRIGGER search_decision_insert AFTER INSERT ON decisions BEGIN
    INSERT INTO search_entries (kind, object_id, workspace_id, subject_type, subject_id, body)
    VALUES ('decision', NEW.id, NEW.workspace_id, NEW.subject_type, NEW.subject_id,
        substr(NEW.outcome || char(10) || NEW.rationale, 1, 65536));
END;
CREATE TRIGGER search_decision_delete AFTER DELETE ON decisions BEGIN
    DELETE FROM search_entries WHERE kind = 'decision' AND object_id = OLD.id;
END;

-- A renamed key renames the keys of what lives under it.
CREATE TRIGGER search_project_key AFTER UPDATE OF key ON projects BEGIN
    UPDATE search_entries SET key = NEW.key || substr(key, length(OLD.key) + 1)
    WHERE scope_id = NEW.id AND kind IN ('task', 'risk', 'defect', 'change_request');
END;
CREATE TRIGGER search_product_key AFTER UPDATE OF key ON products BEGIN
    UPDATE search_entries SET key = NEW.key || substr(key, length(OLD.key) + 1)
    WHERE scope_id = NEW.id AND kind = 'feature';
END;

-- What is already there.
INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, key, title, body)
SELECT 'feature', f.id, f.workspace_id, f.product_id, p.key || '-' || f.number, f.title, substr(f.description, 1, 65536)
FROM features f JOIN products p ON p.id = f.product_id;
INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, title, body)
SELECT 'feedback', id, workspace_id, product_id, COALESCE(customer, ''), substr(text, 1, 65536) FROM feedback;
INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, key, title, body)
SELECT 'task', t.id, t.workspace_id, t.project_id, p.key || '-' || t.number, t.name, substr(t.notes, 1, 65536)
FROM tasks t JOIN projects p ON p.id = t.project_id;
INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, key, title, body)
SELECT 'risk', r.id, r.workspace_id, r.project_id, p.key || '-' || r.number, r.title,
    substr(r.description || char(10) || r.mitigation || char(10) || r.trigger_text, 1, 65536)
FROM risks r JOIN projects p ON p.id = r.project_id;
INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, key, title, body)
SELECT 'defect', d.id, d.workspace_id, d.project_id, p.key || '-' || d.number, d.title, substr(d.description, 1, 65536)
FROM defects d JOIN projects p ON p.id = d.project_id;
INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, key, title, body)
SELECT 'change_request', c.id, c.workspace_id, c.project_id, p.key || '-' || c.number, c.title, substr(c.description, 1, 65536)
FROM change_requests c JOIN projects p ON p.id = c.project_id;
INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, title, body)
SELECT 'release', id, workspace_id, product_id, name, substr(notes, 1, 65536) FROM releases;
INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, title, body)
SELECT 'objective', id, workspace_id, product_id, title, period FROM objectives;
INSERT INTO search_entries (kind, object_id, workspace_id, subject_type, subject_id, body)
SELECT 'comment', id, workspace_id, subject_type, subject_id, substr(body, 1, 65536) FROM comments;
INSERT INTO search_entries (kind, object_id, workspace_id, subject_type, subject_id, body)
SELECT 'decision', id, workspace_id, subject_type, subject_id, substr(outcome || char(10) || rationale, 1, 65536) FROM decisions;
