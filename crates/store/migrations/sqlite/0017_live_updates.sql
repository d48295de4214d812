-- Live updates: each activity row carries its subject's version after
-- the change, for clients to compare with their copy. On SQLite one
-- process writes, in activity id order, and its readers poll for ids past
-- the last they saw (PostgreSQL announces new rows instead).
ALTER TABLE activity ADD COLUMN version BIGINT;
