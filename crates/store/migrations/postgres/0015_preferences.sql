-- The workspace's time zone (IANA name), for the times its pages show.
ALTER TABLE workspaces ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
-- How each person reads dates, and light or dark pages.
ALTER TABLE users ADD COLUMN date_order TEXT NOT NULL DEFAULT 'day_month';
ALTER TABLE users ADD COLUMN theme TEXT NOT NULL DEFAULT 'system';
