-- Each week's people per event (name_id 0: any event), by the week's
-- Monday, kept beside the day sets: who was seen before a cohort is a
-- year of weeks to read rather than a year of days. Products with day sets
-- from before get their weeks when first asked.
CREATE TABLE analytics_weeks (
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name_id BIGINT NOT NULL,
    week BIGINT NOT NULL,
    bits BYTEA NOT NULL,
    PRIMARY KEY (product_id, name_id, week)
);
