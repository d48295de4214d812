-- Each day's events of one name as the funnel reads them: who and when,
-- eight bytes an event (`core::analytics::trail`), in pieces appended by
-- the batches that brought them (`seq` from 0; small pieces are merged
-- into the last one). Kept and dropped with the raw events. Products with
-- raw events from before get their trails when a funnel first asks.
CREATE TABLE analytics_trails (
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    marks BYTEA NOT NULL,
    PRIMARY KEY (product_id, day, name_id, seq)
);

-- How many times a person of the product was forgotten: a server that
-- keeps people's numbers in memory starts again when it moves.
ALTER TABLE products ADD COLUMN people_forgotten BIGINT NOT NULL DEFAULT 0;
