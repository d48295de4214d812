-- Every event landed in an index by person, at random places: a third of
-- the ingest time. Forgetting a person (rare) reads the product's events
-- instead.
DROP INDEX analytics_events_person;
