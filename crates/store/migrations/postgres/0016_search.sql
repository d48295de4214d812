-- One search over what people look for: features, feedback, tasks, risks,
-- defects, change requests, releases, objectives, comments and decisions.
-- `search_entries` holds each object's key, title and words, kept by
-- triggers in the transaction of the write, so no write path can forget
-- it; `document` is their tsvector (key weighted A, title B, words C) under
-- a GIN index. The 'simple' configuration: no stemming for one language,
-- since prefixes are matched anyway; every run of other characters splits
-- words, as SQLite's tokenizer does, so CKT-12 is `ckt` and `12` on both. Derived state: not backed up,
-- rebuilt by the triggers as rows are restored.

CREATE TABLE search_entries (
    id BIGSERIAL PRIMARY KEY,
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
    document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, regexp_replace(key, '[^[:alnum:]]+', ' ', 'g')), 'A')
        || setweight(to_tsvector('simple'::regconfig, regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')), 'B')
        || setweight(to_tsvector('simple'::regconfig, regexp_replace(body, '[^[:alnum:]]+', ' ', 'g')), 'C')
    ) STORED,
    UNIQUE (kind, object_id)
);
-- An exact key is looked up, not searched.
CREATE INDEX search_entries_key ON search_entries (key);
CREATE INDEX search_entries_document ON search_entries USING GIN (document);

CREATE FUNCTION search_put(k TEXT, oid BIGINT, ws BIGINT, scope BIGINT, st TEXT, sid BIGINT,
                           ky TEXT, ti TEXT, bo TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO search_entries (kind, object_id, workspace_id, scope_id, subject_type, subject_id, key, title, body)
    VALUES (k, oid, ws, scope, st, sid, COALESCE(ky, ''), COALESCE(ti, ''), left(COALESCE(bo, ''), 65536))
    ON CONFLICT (kind, object_id) DO UPDATE
        SET key = EXCLUDED.key, title = EXCLUDED.title, body = EXCLUDED.body;
$$;

CREATE FUNCTION search_drop(k TEXT, oid BIGINT) RETURNS void LANGUAGE sql AS $$
    DELETE FROM search_entries WHERE kind = k AND object_id = oid;
$$;

-- Features: PRD-12, title, description.
CREATE FUNCTION search_feature() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM search_drop('feature', OLD.id); RETURN OLD; END IF;
    PERFORM search_put('feature', NEW.id, NEW.workspace_id, NEW.product_id, NULL, NULL,
        (SELECT key FROM products WHERE id = NEW.product_id) || '-' || NEW.number, NEW.title, NEW.description);
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_feature AFTER INSERT OR DELETE OR UPDATE OF number, title, description ON features
    FOR EACH ROW EXECUTE FUNCTION search_feature();

-- Feedback: the customer as its title, the text as its words.
CREATE FUNCTION search_feedback() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM search_drop('feedback', OLD.id); RETURN OLD; END IF;
    PERFORM search_put('feedback', NEW.id, NEW.workspace_id, NEW.product_id, NULL, NULL, '', NEW.customer, NEW.text);
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_feedback AFTER INSERT OR DELETE OR UPDATE OF text, customer ON feedback
    FOR EACH ROW EXECUTE FUNCTION search_feedback();

-- Tasks: CKT-12, name, notes.
CREATE FUNCTION search_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM search_drop('task', OLD.id); RETURN OLD; END IF;
    PERFORM search_put('task', NEW.id, NEW.workspace_id, NEW.project_id, NULL, NULL,
        (SELECT key FROM projects WHERE id = NEW.project_id) || '-' || NEW.number, NEW.name, NEW.notes);
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_task AFTER INSERT OR DELETE OR UPDATE OF number, name, notes ON tasks
    FOR EACH ROW EXECUTE FUNCTION search_task();

-- Risks: key, title, and description, mitigation and trigger as words.
CREATE FUNCTION search_risk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM search_drop('risk', OLD.id); RETURN OLD; END IF;
    PERFORM search_put('risk', NEW.id, NEW.workspace_id, NEW.project_id, NULL, NULL,
        (SELECT key FROM projects WHERE id = NEW.project_id) || '-' || NEW.number, NEW.title,
        NEW.description || chr(10) || NEW.mitigation || chr(10) || NEW.trigger_text);
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_risk AFTER INSERT OR DELETE OR UPDATE OF number, title, description, mitigation, trigger_text
    ON risks FOR EACH ROW EXECUTE FUNCTION search_risk();

-- Defects: key, title, description.
CREATE FUNCTION search_defect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM search_drop('defect', OLD.id); RETURN OLD; END IF;
    PERFORM search_put('defect', NEW.id, NEW.workspace_id, NEW.project_id, NULL, NULL,
        (SELECT key FROM projects WHERE id = NEW.project_id) || '-' || NEW.number, NEW.title, NEW.description);
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_defect AFTER INSERT OR DELETE OR UPDATE OF number, title, description ON defects
    FOR EACH ROW EXECUTE FUNCTION search_defect();

-- Change requests: key, title, description.
CREATE FUNCTION search_change_request() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM search_drop('change_request', OLD.id); RETURN OLD; END IF;
    PERFORM search_put('change_request', NEW.id, NEW.workspace_id, NEW.project_id, NULL, NULL,
        (SELECT key FROM projects WHERE id = NEW.project_id) || '-' || NEW.number, NEW.title, NEW.description);
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_change_request AFTER INSERT OR DELETE OR UPDATE OF number, title, description
    ON change_requests FOR EACH ROW EXECUTE FUNCTION search_change_request();

-- Releases: name and notes.
CREATE FUNCTION search_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM search_drop('release', OLD.id); RETURN OLD; END IF;
    PERFORM search_put('release', NEW.id, NEW.workspace_id, NEW.product_id, NULL, NULL, '', NEW.name, NEW.notes);
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_release AFTER INSERT OR DELETE OR UPDATE OF name, notes ON releases
    FOR EACH ROW EXECUTE FUNCTION search_release();

-- Objectives: title and period.
CREATE FUNCTION search_objective() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM search_drop('objective', OLD.id); RETURN OLD; END IF;
    PERFORM search_put('objective', NEW.id, NEW.workspace_id, NEW.product_id, NULL, NULL, '', NEW.title, NEW.period);
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_objective AFTER INSERT OR DELETE OR UPDATE OF title, period ON objectives
    FOR EACH ROW EXECUTE FUNCTION search_objective();

-- Comments: their words, and the subject they are on.
CREATE FUNCTION search_comment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM search_drop('comment', OLD.id); RETURN OLD; END IF;
    PERFORM search_put('comment', NEW.id, NEW.workspace_id, NULL, NEW.subject_type, NEW.subject_id, '', '', NEW.body);
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_comment AFTER INSERT OR DELETE OR UPDATE OF body ON comments
    FOR EACH ROW EXECUTE FUNCTION search_comment();

-- Decisions: the outcome and the rationale, and the subject decided.
CREATE FUNCTION search_decision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM search_drop('decision', OLD.id); RETURN OLD; END IF;
    PERFORM search_put('decision', NEW.id, NEW.workspace_id, NULL, NEW.subject_type, NEW.subject_id, '', '',
        NEW.outcome || chr(10) || NEW.rationale);
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_decision AFTER INSERT OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION search_decision();

-- A renamed key renames the keys of what lives under it.
CREATE FUNCTION search_scope_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE search_entries SET key = NEW.key || substr(key, length(OLD.key) + 1)
    WHERE scope_id = NEW.id AND kind = ANY(TG_ARGV);
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_project_key AFTER UPDATE OF key ON projects
    FOR EACH ROW WHEN (OLD.key IS DISTINCT FROM NEW.key)
    EXECUTE FUNCTION search_scope_key('task', 'risk', 'defect', 'change_request');
CREATE TRIGGER search_product_key AFTER UPDATE OF key ON products
    FOR EACH ROW WHEN (OLD.key IS DISTINCT FROM NEW.key)
    EXECUTE FUNCTION search_scope_key('feature');

-- What is already there.
SELECT search_put('feature', f.id, f.workspace_id, f.product_id, NULL, NULL, p.key || '-' || f.number, f.title, f.description)
FROM features f JOIN products p ON p.id = f.product_id;
SELECT search_put('feedback', id, workspace_id, product_id, NULL, NULL, '', customer, text) FROM feedback;
SELECT search_put('task', t.id, t.workspace_id, t.project_id, NULL, NULL, p.key || '-' || t.number, t.name, t.notes)
FROM tasks t JOIN projects p ON p.id = t.project_id;
SELECT search_put('risk', r.id, r.workspace_id, r.project_id, NULL, NULL, p.key || '-' || r.number, r.title,
    r.description || chr(10) || r.mitigation || chr(10) || r.trigger_text)
FROM risks r JOIN projects p ON p.id = r.project_id;
SELECT search_put('defect', d.id, d.workspace_id, d.project_id, NULL, NULL, p.key || '-' || d.number, d.title, d.description)
FROM defects d JOIN projects p ON p.id = d.project_id;
SELECT search_put('change_request', c.id, c.workspace_id, c.project_id, NULL, NULL, p.key || '-' || c.number, c.title,
    c.description)
FROM change_requests c JOIN projects p ON p.id = c.project_id;
SELECT search_put('release', id, workspace_id, product_id, NULL, NULL, '', name, notes) FROM releases;
SELECT search_put('objective', id, workspace_id, product_id, NULL, NULL, '', title, period) FROM objectives;
SELECT search_put('comment', id, workspace_id, NULL, subject_type, subject_id, '', '', body) FROM comments;
SELECT search_put('decision', id, workspace_id, NULL, subject_type, subject_id, '', '', outcome || chr(10) || rationale)
FROM decisions;
