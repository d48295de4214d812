-- Live updates: each activity row carries its subject's version after
-- the change, for clients to compare with their copy.
ALTER TABLE activity ADD COLUMN version BIGINT;

-- Across servers: each new activity row (every write appends
-- one in its transaction) is announced on channel tandem_activity with its
-- id as the payload. PostgreSQL delivers notifications when the
-- transaction commits, in commit order, to every listening server.
CREATE FUNCTION activity_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tandem_activity', NEW.id::text);
    RETURN NEW;
END;
$$;
CREATE TRIGGER activity_announce AFTER INSERT ON activity FOR EACH ROW EXECUTE FUNCTION activity_announce();
