//! Migrations embedded in the binary, one append-only folder per backend.
//! Never edit a released migration: add a new one.

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::Backend;

const SQLITE: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../migrations/sqlite/0001_foundation.sql")),
    (2, "product", include_str!("../migrations/sqlite/0002_product.sql")),
    (3, "comments", include_str!("../migrations/sqlite/0003_comments.sql")),
    (4, "projects", include_str!("../migrations/sqlite/0004_projects.sql")),
    (5, "tasks", include_str!("../migrations/sqlite/0005_tasks.sql")),
    (6, "project_side", include_str!("../migrations/sqlite/0006_project_side.sql")),
    (7, "calendars_and_imports", include_str!("../migrations/sqlite/0007_calendars_and_imports.sql")),
    (8, "decision_rights", include_str!("../migrations/sqlite/0008_decision_rights.sql")),
    (9, "change_requests", include_str!("../migrations/sqlite/0009_change_requests.sql")),
    (10, "syncs_and_notifications", include_str!("../migrations/sqlite/0010_syncs_and_notifications.sql")),
    (11, "plan_revisions", include_str!("../migrations/sqlite/0011_plan_revisions.sql")),
    (12, "shared_plan_revisions", include_str!("../migrations/sqlite/0012_shared_plan_revisions.sql")),
    (13, "data_revisions", include_str!("../migrations/sqlite/0013_data_revisions.sql")),
    (14, "task_notes", include_str!("../migrations/sqlite/0014_task_notes.sql")),
    (15, "preferences", include_str!("../migrations/sqlite/0015_preferences.sql")),
    (16, "search", include_str!("../migrations/sqlite/0016_search.sql")),
    (17, "live_updates", include_str!("../migrations/sqlite/0017_live_updates.sql")),
    (18, "saved_views", include_str!("../migrations/sqlite/0018_saved_views.sql")),
    (19, "custom_fields", include_str!("../migrations/sqlite/0019_custom_fields.sql")),
    (20, "analytics", include_str!("../migrations/sqlite/0020_analytics.sql")),
    (21, "fed_metrics", include_str!("../migrations/sqlite/0021_fed_metrics.sql")),
    (22, "ingest_speed", include_str!("../migrations/sqlite/0022_ingest_speed.sql")),
    (23, "day_set_bytes", include_str!("../migrations/sqlite/0023_day_set_bytes.sql")),
    (24, "analytics_weeks", include_str!("../migrations/sqlite/0024_analytics_weeks.sql")),
    (25, "analytics_trails", include_str!("../migrations/sqlite/0025_analytics_trails.sql")),
    (26, "webhooks_and_feeds", include_str!("../migrations/sqlite/0026_webhooks_and_feeds.sql")),
    (27, "mail", include_str!("../migrations/sqlite/0027_mail.sql")),
    (28, "single_sign_on", include_str!("../migrations/sqlite/0028_single_sign_on.sql")),
    (29, "rituals", include_str!("../migrations/sqlite/0029_rituals.sql")),
    (30, "manual_placeholders", include_str!("../migrations/sqlite/0030_manual_placeholders.sql")),
    (31, "rate_limits", include_str!("../migrations/sqlite/0031_rate_limits.sql")),
];

const POSTGRES: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../migrations/postgres/0001_foundation.sql")),
    (2, "product", include_str!("../migrations/postgres/0002_product.sql")),
    (3, "comments", include_str!("../migrations/postgres/0003_comments.sql")),
    (4, "projects", include_str!("../migrations/postgres/0004_projects.sql")),
    (5, "tasks", include_str!("../migrations/postgres/0005_tasks.sql")),
    (6, "project_side", include_str!("../migrations/postgres/0006_project_side.sql")),
    (7, "calendars_and_imports", include_str!("../migrations/postgres/0007_calendars_and_imports.sql")),
    (8, "decision_rights", include_str!("../migrations/postgres/0008_decision_rights.sql")),
    (9, "change_requests", include_str!("../migrations/postgres/0009_change_requests.sql")),
    (10, "syncs_and_notifications", include_str!("../migrations/postgres/0010_syncs_and_notifications.sql")),
    (11, "plan_revisions", include_str!("../migrations/postgres/0011_plan_revisions.sql")),
    (12, "shared_plan_revisions", include_str!("../migrations/postgres/0012_shared_plan_revisions.sql")),
    (13, "data_revisions", include_str!("../migrations/postgres/0013_data_revisions.sql")),
    (14, "task_notes", include_str!("../migrations/postgres/0014_task_notes.sql")),
    (15, "preferences", include_str!("../migrations/postgres/0015_preferences.sql")),
    (16, "search", include_str!("../migrations/postgres/0016_search.sql")),
    (17, "live_updates", include_str!("../migrations/postgres/0017_live_updates.sql")),
    (18, "saved_views", include_str!("../migrations/postgres/0018_saved_views.sql")),
    (19, "custom_fields", include_str!("../migrations/postgres/0019_custom_fields.sql")),
    (20, "analytics", include_str!("../migrations/postgres/0020_analytics.sql")),
    (21, "fed_metrics", include_str!("../migrations/postgres/0021_fed_metrics.sql")),
    (22, "ingest_speed", include_str!("../migrations/postgres/0022_ingest_speed.sql")),
    (23, "day_set_bytes", include_str!("../migrations/postgres/0023_day_set_bytes.sql")),
    (24, "analytics_weeks", include_str!("../migrations/postgres/0024_analytics_weeks.sql")),
    (25, "analytics_trails", include_str!("../migrations/postgres/0025_analytics_trails.sql")),
    (26, "webhooks_and_feeds", include_str!("../migrations/postgres/0026_webhooks_and_feeds.sql")),
    (27, "mail", include_str!("../migrations/postgres/0027_mail.sql")),
    (28, "single_sign_on", include_str!("../migrations/postgres/0028_single_sign_on.sql")),
    (29, "rituals", include_str!("../migrations/postgres/0029_rituals.sql")),
    (30, "manual_placeholders", include_str!("../migrations/postgres/0030_manual_placeholders.sql")),
    (31, "rate_limits", include_str!("../migrations/postgres/0031_rate_limits.sql")),
];

pub(crate) fn migrator(backend: Backend) -> Migrator {
    let list = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    Migrator::with_migrations(
        list.iter()
            .map(|&(version, name, sql)| {
                Migration::new(version, name.into(), MigrationType::Simple, sql.into_sql_str(), false)
            })
            .collect(),
    )
}

/// The schema version this binary migrates to.
pub fn latest() -> i64 {
    SQLITE.last().map_or(0, |m| m.0)
}

/// One migration this binary carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationInfo {
    pub version: i64,
    pub name: &'static str,
}

/// Where a database stands against this binary's migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationPlan {
    /// What `migrate` would apply, in order.
    pub pending: Vec<MigrationInfo>,
    /// Versions the database has that this binary does not know: it was
    /// made by a newer Tandem, and this one refuses to run on it.
    pub unknown: Vec<i64>,
    /// Versions an earlier run began and did not finish.
    pub failed: Vec<i64>,
}

impl crate::Store {
    /// What migrating would do, without doing it.
    pub async fn migration_plan(&self) -> crate::Result<MigrationPlan> {
        let list = match self.backend() {
            Backend::Sqlite => SQLITE,
            Backend::Postgres => POSTGRES,
        };
        let exists: bool = match self.backend() {
            Backend::Sqlite => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                )
                .fetch_one(&self.pool)
                .await?
                    > 0
            }
            Backend::Postgres => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
                )
                .fetch_one(&self.pool)
                .await?
                    > 0
            }
        };
        // The flag as a number: SQLite keeps it as an integer the Any driver
        // cannot read as a boolean.
        let rows: Vec<(i64, i64)> = if exists {
            sqlx::query_as("SELECT version, CASE WHEN success THEN 1 ELSE 0 END FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&self.pool)
                .await?
        } else {
            Vec::new()
        };
        let failed = rows.iter().filter(|r| r.1 == 0).map(|r| r.0).collect();
        let applied: Vec<i64> = rows.iter().filter(|r| r.1 != 0).map(|r| r.0).collect();
        let pending = list
            .iter()
            .filter(|m| !applied.contains(&m.0))
            .map(|&(version, name, _)| MigrationInfo { version, name })
            .collect();
        let unknown = applied.into_iter().filter(|v| !list.iter().any(|m| m.0 == *v)).collect();
        Ok(MigrationPlan { pending, unknown, failed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_versions() {
        let v = |l: &[(i64, &'static str, &'static str)]| l.iter().map(|m| (m.0, m.1)).collect::<Vec<_>>();
        assert_eq!(v(SQLITE), v(POSTGRES));
    }
}
