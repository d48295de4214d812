-- Custom fields: a workspace's own fields on features, tasks, feedback,
-- risks and defects. Values hang off the field's id, not its key, so a
-- renamed field keeps them; deleting a field deletes its values.
CREATE TABLE custom_fields (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    object TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    -- The choices of a select or multi select, as a JSON array of strings.
    options TEXT NOT NULL DEFAULT '[]',
    required BIGINT NOT NULL DEFAULT 0,
    position BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, object, key)
);

-- One value per field and object, as JSON (a string, a number or an array
-- of strings).
CREATE TABLE custom_values (
    field_id BIGINT NOT NULL REFERENCES custom_fields(id) ON DELETE CASCADE,
    object_id BIGINT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (field_id, object_id)
);
CREATE INDEX custom_values_object ON custom_values (object_id, field_id);

-- An object's values go with it.
CREATE TRIGGER custom_values_feature_gone AFTER DELETE ON features BEGIN
    DELETE FROM custom_values WHERE object_id = OLD.id
        AND field_id IN (SELECT id FROM custom_fields WHERE object = 'feature');
END;
CREATE TRIGGER custom_values_task_gone AFTER DELETE ON tasks BEGIN
    DELETE FROM custom_values WHERE object_id = OLD.id
        AND field_id IN (SELECT id FROM custom_fields WHERE object = 'task');
END;
CREATE TRIGGER custom_values_feedback_gone AFTER DELETE ON feedback BEGIN
    DELETE FROM custom_values WHERE object_id = OLD.id
        AND field_id IN (SELECT id FROM custom_fields WHERE object = 'feedback');
END;
CREATE TRIGGER custom_values_risk_gone AFTER DELETE ON risks BEGIN
    DELETE FROM custom_values WHERE object_id = OLD.id
        AND field_id IN (SELECT id FROM custom_fields WHERE object = 'risk');
END;
CREATE TRIGGER custom_values_defect_gone AFTER DELETE ON defects BEGIN
    DELETE FROM custom_values WHERE object_id = OLD.id
        AND field_id IN (SELECT id FROM custom_fields WHERE object = 'defect');
END;

-- Search finds objects by their custom values too: `fields` holds the
-- words of an object's values (people's ids left out), kept by triggers
-- on the values. The full-text index gains the column, so it is built
-- again.
ALTER TABLE search_entries ADD COLUMN fields TEXT NOT NULL DEFAULT '';
DROP TRIGGER search_entries_insert;
DROP TRIGGER search_entries_delete;
DROP TRIGGER search_entries_update;
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(
    key, title, body, fields,
    content = 'search_entries', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
CREATE TRIGGER search_entries_insert AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_fts (rowid, key, title, body, fields) VALUES (NEW.id, NEW.key, NEW.title, NEW.body, NEW.fields);
END;
CREATE TRIGGER search_entries_delete AFTER DELETE ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, key, title, body, fields)
    VALUES ('delete', OLD.id, OLD.key, OLD.title, OLD.body, OLD.fields);
END;
CREATE TRIGGER search_entries_update AFTER UPDATE ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, key, title, body, fields)
    VALUES ('delete', OLD.id, OLD.key, OLD.title, OLD.body, OLD.fields);
    INSERT INTO search_fts (rowid, key, title, body, fields) VALUES (NEW.id, NEW.key, NEW.title, NEW.body, NEW.fields);
END;
INSERT INTO search_fts (search_fts) VALUES ('rebuild');

-- Every kind with the object's id is taken again from what remains: a
-- value deleted with its field (a cascade) has no field to name its kind.
CREATE TRIGGER search_custom_insert AFTER INSERT ON custom_values BEGIN
    UPDATE search_entries SET fields = (
        SELECT substr(COALESCE(group_concat(v.value, ' '), ''), 1, 65536)
        FROM custom_values v JOIN custom_fields f ON f.id = v.field_id
        WHERE v.object_id = NEW.object_id AND f.type <> 'person' AND f.object = search_entries.kind)
    WHERE object_id = NEW.object_id AND kind IN ('feature', 'task', 'feedback', 'risk', 'defect');
END;
CREATE TRIGGER search_custom_update AFTER UPDATE ON custom_values BEGIN
    UPDATE search_entries SET fields = (
        SELECT substr(COALESCE(group_concat(v.value, ' '), ''), 1, 65536)
        FROM custom_values v JOIN custom_fields f ON f.id = v.field_id
        WHERE v.object_id = NEW.object_id AND f.type <> 'person' AND f.object = search_entries.kind)
    WHERE object_id = NEW.object_id AND kind IN ('feature', 'task', 'feedback', 'risk', 'defect');
END;
CREATE TRIGGER search_custom_delete AFTER DELETE ON custom_values BEGIN
    UPDATE search_entries SET fields = (
        SELECT substr(COALESCE(group_concat(v.value, ' '), ''), 1, 65536)
        FROM custom_values v JOIN custom_fields f ON f.id = v.field_id
        WHERE v.object_id = OLD.object_id AND f.type <> 'person' AND f.object = search_entries.kind)
    WHERE object_id = OLD.object_id AND kind IN ('feature', 'task', 'feedback', 'risk', 'defect');
END;

-- A task field renamed or deleted changes what a plan's tasks carry, so
-- the plans of the workspace move on (their cached schedules hold tasks).
CREATE TRIGGER plan_custom_fields_update AFTER UPDATE ON custom_fields WHEN NEW.object = 'task' BEGIN
    UPDATE plan_revisions SET revision = revision + 1
    WHERE project_id IN (SELECT id FROM projects WHERE workspace_id = NEW.workspace_id);
END;
CREATE TRIGGER plan_custom_fields_delete AFTER DELETE ON custom_fields WHEN OLD.object = 'task' BEGIN
    UPDATE plan_revisions SET revision = revision + 1
    WHERE project_id IN (SELECT id FROM projects WHERE workspace_id = OLD.workspace_id);
END;
