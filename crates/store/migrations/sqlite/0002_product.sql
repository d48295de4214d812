-- The product side: products, feedback and its links to features, features
-- with their scoring inputs, releases, objectives and key results,
-- competitors, metric series. Every row carries its workspace so that an
-- object addressed by id alone is checked against the caller's workspace.
-- Scoring inputs are one JSON document: always read and written together,
-- validated by the application, scores computed from them.

CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    vision TEXT NOT NULL DEFAULT '',
    strategy TEXT NOT NULL DEFAULT '',
    owner_id BIGINT NOT NULL REFERENCES users(id),
    default_framework TEXT NOT NULL,
    next_feature_number BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, key)
);

CREATE TABLE releases (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    target_date TEXT,
    status TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX releases_product ON releases (product_id, id);

CREATE TABLE features (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    rejection_reason TEXT,
    lane TEXT,
    release_id BIGINT REFERENCES releases(id) ON DELETE SET NULL,
    rank BIGINT NOT NULL,
    inputs TEXT NOT NULL,
    adoption_event TEXT,
    shipped_on TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (product_id, number)
);
CREATE INDEX features_release ON features (release_id);

CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    customer TEXT,
    segment TEXT,
    customer_value_minor BIGINT,
    submitted_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX feedback_product ON feedback (product_id, id);

CREATE TABLE feedback_links (
    feedback_id BIGINT NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    feature_id BIGINT NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    importance BIGINT NOT NULL CHECK (importance BETWEEN 1 AND 3),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (feedback_id, feature_id)
);
CREATE INDEX feedback_links_feature ON feedback_links (feature_id);

CREATE TABLE objectives (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    period TEXT NOT NULL,
    owner_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX objectives_product ON objectives (product_id, id);

CREATE TABLE key_results (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    objective_id BIGINT NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
    metric TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    baseline REAL NOT NULL,
    target REAL NOT NULL,
    current_value REAL NOT NULL,
    direction TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX key_results_objective ON key_results (objective_id, id);

CREATE TABLE key_result_values (
    id INTEGER PRIMARY KEY,
    key_result_id BIGINT NOT NULL REFERENCES key_results(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    value REAL NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX key_result_values_kr ON key_result_values (key_result_id, date, id);

CREATE TABLE key_result_features (
    key_result_id BIGINT NOT NULL REFERENCES key_results(id) ON DELETE CASCADE,
    feature_id BIGINT NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    PRIMARY KEY (key_result_id, feature_id)
);

CREATE TABLE competitors (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    capabilities TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX competitors_product ON competitors (product_id, id);

CREATE TABLE metric_series (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (product_id, name)
);

CREATE TABLE metric_points (
    series_id BIGINT NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (series_id, date)
);
