-- Product analytics: the keys that send a product's events, the events
-- as they came (kept for a while), and each day's people per event.
CREATE TABLE ingest_keys (
    id INTEGER PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- The key's hash; the key itself is shown once, when made.
    key_hash TEXT NOT NULL UNIQUE,
    -- Its first characters, to tell keys apart in a list.
    prefix TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    -- The requests of the current minute, for the per-key rate (kept in
    -- the database, so every server counts the same).
    window_start BIGINT NOT NULL DEFAULT 0,
    window_requests BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX ingest_keys_product ON ingest_keys (product_id);

-- The people of a product, numbered: the numbers are what the day sets
-- hold.
CREATE TABLE analytics_people (
    id INTEGER PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    distinct_id TEXT NOT NULL,
    UNIQUE (product_id, distinct_id)
);

-- The event names of a product, numbered.
CREATE TABLE analytics_names (
    id INTEGER PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    UNIQUE (product_id, name)
);

CREATE TABLE analytics_events (
    id INTEGER PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name_id BIGINT NOT NULL REFERENCES analytics_names(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES analytics_people(id) ON DELETE CASCADE,
    -- Milliseconds since 1970, and the product's calendar day of it.
    at BIGINT NOT NULL,
    day BIGINT NOT NULL,
    uuid TEXT,
    properties TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX analytics_events_uuid ON analytics_events (product_id, uuid) WHERE uuid IS NOT NULL;
CREATE INDEX analytics_events_day ON analytics_events (product_id, day, name_id);
CREATE INDEX analytics_events_person ON analytics_events (person_id);

-- Each day's people per event name (name_id 0: any event), as a roaring
-- bitmap of person numbers in base64, and the events counted. They stay
-- when the raw events are dropped.
CREATE TABLE analytics_days (
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    people TEXT NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (product_id, name_id, day)
);
