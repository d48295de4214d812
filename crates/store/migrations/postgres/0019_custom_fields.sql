-- Custom fields: a workspace's own fields on features, tasks, feedback,
-- risks and defects. Values hang off the field's id, not its key, so a
-- renamed field keeps them; deleting a field deletes its values.
CREATE TABLE custom_fields (
    id BIGSERIAL PRIMARY KEY,
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

-- An object's values go with it (the trigger's argument names its kind).
CREATE FUNCTION custom_values_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM custom_values WHERE object_id = OLD.id
        AND field_id IN (SELECT id FROM custom_fields WHERE object = TG_ARGV[0]);
    RETURN OLD;
END;
$$;
CREATE TRIGGER custom_values_feature_gone AFTER DELETE ON features
    FOR EACH ROW EXECUTE FUNCTION custom_values_gone('feature');
CREATE TRIGGER custom_values_task_gone AFTER DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION custom_values_gone('task');
CREATE TRIGGER custom_values_feedback_gone AFTER DELETE ON feedback
    FOR EACH ROW EXECUTE FUNCTION custom_values_gone('feedback');
CREATE TRIGGER custom_values_risk_gone AFTER DELETE ON risks
    FOR EACH ROW EXECUTE FUNCTION custom_values_gone('risk');
CREATE TRIGGER custom_values_defect_gone AFTER DELETE ON defects
    FOR EACH ROW EXECUTE FUNCTION custom_values_gone('defect');

-- Search finds objects by their custom values too: `fields` holds the
-- words of an object's values (people's ids left out), kept by a trigger
-- on the values, weighted as the body is.
ALTER TABLE search_entries ADD COLUMN fields TEXT NOT NULL DEFAULT '';
DROP INDEX search_entries_document;
ALTER TABLE search_entries DROP COLUMN document;
ALTER TABLE search_entries ADD COLUMN document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, regexp_replace(key, '[^[:alnum:]]+', ' ', 'g')), 'A')
    || setweight(to_tsvector('simple'::regconfig, regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')), 'B')
    || setweight(to_tsvector('simple'::regconfig, regexp_replace(body, '[^[:alnum:]]+', ' ', 'g')), 'C')
    || setweight(to_tsvector('simple'::regconfig, regexp_replace(fields, '[^[:alnum:]]+', ' ', 'g')), 'C')
) STORED;
CREATE INDEX search_entries_document ON search_entries USING GIN (document);

CREATE FUNCTION search_custom() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    oid BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN oid := OLD.object_id; ELSE oid := NEW.object_id; END IF;
    -- Every kind with this object id is taken again from what remains: a
    -- value deleted with its field (a cascade) has no field to name its kind.
    UPDATE search_entries s SET fields = (
        SELECT left(COALESCE(string_agg(v.value, ' ' ORDER BY v.field_id), ''), 65536)
        FROM custom_values v JOIN custom_fields f ON f.id = v.field_id
        WHERE v.object_id = oid AND f.type <> 'person' AND f.object = s.kind)
    WHERE s.object_id = oid AND s.kind IN ('feature', 'task', 'feedback', 'risk', 'defect');
    RETURN NULL;
END;
$$;
CREATE TRIGGER search_custom AFTER INSERT OR UPDATE OR DELETE ON custom_values
    FOR EACH ROW EXECUTE FUNCTION search_custom();

-- A task field renamed or deleted changes what a plan's tasks carry, so
-- the plans of the workspace move on (their cached schedules hold tasks).
CREATE FUNCTION plan_touch_custom_field() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.object = 'task' THEN
        PERFORM plan_bump(ARRAY(SELECT id FROM projects WHERE workspace_id = OLD.workspace_id));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER plan_custom_fields AFTER UPDATE OR DELETE ON custom_fields
    FOR EACH ROW EXECUTE FUNCTION plan_touch_custom_field();
