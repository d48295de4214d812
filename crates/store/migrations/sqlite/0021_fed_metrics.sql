-- Metric series fed from product analytics (what feeds them, as JSON;
-- NULL for a series of typed values), and key results that follow one.
ALTER TABLE metric_series ADD COLUMN source TEXT;
ALTER TABLE key_results ADD COLUMN metric_id BIGINT REFERENCES metric_series(id) ON DELETE SET NULL;
CREATE INDEX key_results_metric ON key_results (metric_id);
