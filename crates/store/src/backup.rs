//! Backup and restore in one portable format for both databases, so a
//! team can move from SQLite to PostgreSQL: JSON Lines, a header, then per
//! table a line naming its columns and a line per row (an array of
//! integers, floats, strings and nulls), then an end line with the count.
//!
//! Restore runs in one transaction into an empty, migrated database of the
//! same schema version; table and column names come from the database's
//! own schema, never from the file, and every value is a bound parameter.

use std::io::{BufRead, Read, Write};

use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::{Backend, Result, Store, StoreError};

pub const FORMAT: &str = "tandem-backup";
pub const VERSION: i64 = 1;

/// Every table, each after the tables it references (checked by a test
/// against the schema), so rows restore in order with foreign keys on.
pub const TABLES: &[&str] = &[
    "users",
    "workspaces",
    "memberships",
    "sessions",
    "api_tokens",
    "login_failures",
    "invitations",
    "activity",
    "products",
    "releases",
    "features",
    "feedback",
    "feedback_links",
    "metric_series",
    "metric_points",
    "objectives",
    "key_results",
    "key_result_values",
    "key_result_features",
    "competitors",
    "comments",
    "projects",
    "project_calendars",
    "sprints",
    "tasks",
    "dependencies",
    "resources",
    "assignments",
    "time_entries",
    "baselines",
    "baseline_tasks",
    "risks",
    "risk_tasks",
    "defects",
    "monte_carlo_runs",
    "status_reports",
    "decision_matrices",
    "change_requests",
    "decisions",
    "syncs",
    "sync_actions",
    "notifications",
    "saved_views",
    "custom_fields",
    "custom_values",
    "ingest_keys",
    "analytics_people",
    "analytics_names",
    "analytics_events",
    "analytics_days",
    "analytics_weeks",
    "analytics_trails",
    "webhooks",
    "webhook_events",
    "webhook_deliveries",
    "calendar_feeds",
    "mail_outbox",
    "notification_settings",
    "unsubscribe_tokens",
    "password_resets",
    "sso_roles",
    "oidc_logins",
    "standups",
    "standup_notes",
    "follow_ups",
    "standup_actions",
    "sprint_reviews",
    "sprint_acceptances",
    "retro_items",
    "retro_votes",
];

/// Tables of state derived from the others, which the database rebuilds
/// as rows are restored (its triggers keep them), or short-lived: never
/// backed up.
pub const DERIVED: &[&str] = &[
    "plan_revisions",
    // Rate-limit windows: a minute's counts, with addresses and token hashes.
    "rate_limits",
    "search_entries",
    // SQLite's full-text index over the entries and its own tables.
    "search_fts",
    "search_fts_data",
    "search_fts_idx",
    "search_fts_docsize",
    "search_fts_config",
];

/// Columns that reference their own table: restored as null, then set
/// once every row of the table is in.
const SELF_REFERENCES: &[(&str, &str)] = &[("tasks", "parent_id")];

/// The longest line a backup may hold (a row of long Markdown texts).
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// What a backup or restore moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub tables: usize,
    pub rows: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Text,
    /// Bytes, written as base64 text.
    Bytes,
}

/// The table's columns and their kinds, in order.
async fn columns(store: &Store, table: &str) -> Result<Vec<(String, Kind)>> {
    let rows: Vec<(String, String)> = match store.backend() {
        Backend::Sqlite => {
            sqlx::query_as("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&store.pool)
                .await?
        }
        Backend::Postgres => {
            sqlx::query_as(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&store.pool)
            .await?
        }
    };
    if rows.is_empty() {
        return Err(StoreError::Corrupt(format!("table {table} is missing")));
    }
    Ok(rows
        .into_iter()
        .map(|(name, ty)| {
            let t = ty.to_ascii_uppercase();
            let kind = if t.contains("INT") {
                Kind::Int
            } else if t.contains("BLOB") || t.contains("BYTEA") {
                Kind::Bytes
            } else if t.contains("REAL") || t.contains("DOUBLE") || t.contains("FLOAT") {
                Kind::Float
            } else {
                Kind::Text
            };
            (name, kind)
        })
        .collect())
}

fn pg_type(k: Kind) -> &'static str {
    match k {
        Kind::Int => "BIGINT",
        Kind::Float => "DOUBLE PRECISION",
        Kind::Text => "TEXT",
        Kind::Bytes => "BYTEA",
    }
}

fn bad(line: usize, what: impl std::fmt::Display) -> StoreError {
    StoreError::BadBackup(format!("line {line}: {what}"))
}

fn write_line(out: &mut impl Write, v: &Value) -> Result<()> {
    serde_json::to_writer(&mut *out, v).map_err(|e| StoreError::Io(e.to_string()))?;
    out.write_all(b"\n").map_err(|e| StoreError::Io(e.to_string()))
}

impl Store {
    /// What is wrong with [`TABLES`] against this SQLite database's schema:
    /// tables not listed, or listed before a table they reference. Empty
    /// when the order restores with foreign keys on.
    pub async fn backup_order_problems(&self) -> Result<Vec<String>> {
        let all: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name != '_sqlx_migrations'",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut problems = Vec::new();
        for (t,) in &all {
            if !TABLES.contains(&t.as_str()) && !DERIVED.contains(&t.as_str()) {
                problems.push(format!("{t} is not backed up"));
            }
        }
        for (i, t) in TABLES.iter().enumerate() {
            let refs: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_list($1)")
                .bind(*t)
                .fetch_all(&self.pool)
                .await?;
            for (r,) in refs {
                let before = TABLES.iter().position(|x| *x == r).is_some_and(|at| at < i);
                let own = r == *t && SELF_REFERENCES.iter().any(|(x, _)| x == t);
                if !before && !own {
                    problems.push(format!("{t} references {r}, listed after it"));
                }
            }
        }
        Ok(problems)
    }

    /// The schema version: the highest migration applied.
    pub async fn schema_version(&self) -> Result<i64> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&self.pool).await?;
        Ok(v.unwrap_or(0))
    }

    /// Writes every table to `out`; `progress` hears each table's name and
    /// row count as it is written.
    pub async fn backup(&self, out: &mut impl Write, mut progress: impl FnMut(&str, u64)) -> Result<Counts> {
        let mut tx = self.pool.begin().await?;
        if self.backend() == Backend::Postgres {
            // One consistent snapshot of every table.
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        }
        let schema = self.schema_version().await?;
        write_line(out, &json!({"format": FORMAT, "version": VERSION, "schema": schema}))?;
        let mut counts = Counts::default();
        for table in TABLES {
            let cols = columns(self, table).await?;
            let names: Vec<&str> = cols.iter().map(|c| c.0.as_str()).collect();
            write_line(out, &json!({"table": table, "columns": names}))?;
            // Rows in the same order from either database, so that a
            // backup of a restored copy is the same file: by id, or by every
            // column where a table has none (keys first).
            let order = if names.contains(&"id") {
                " ORDER BY id".to_owned()
            } else {
                format!(" ORDER BY {}", names.join(", "))
            };
            let sql = format!("SELECT {} FROM {table}{order}", names.join(", "));
            let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *tx).await?;
            for row in &rows {
                let mut vals = Vec::with_capacity(cols.len());
                for (i, (_, kind)) in cols.iter().enumerate() {
                    vals.push(match kind {
                        Kind::Int => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::from),
                        Kind::Float => row.try_get::<Option<f64>, _>(i)?.map_or(Value::Null, Value::from),
                        Kind::Text => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::from),
                        Kind::Bytes => {
                            row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Value::Null, |b| Value::from(BASE64.encode(b)))
                        }
                    });
                }
                write_line(out, &Value::Array(vals))?;
            }
            progress(table, rows.len() as u64);
            counts.tables += 1;
            counts.rows += rows.len() as u64;
        }
        write_line(out, &json!({"end": true, "tables": counts.tables, "rows": counts.rows}))?;
        out.flush().map_err(|e| StoreError::Io(e.to_string()))?;
        tx.commit().await?;
        Ok(counts)
    }

    /// Restores a backup into this database, which must be migrated to the
    /// backup's schema version and hold no data. All or nothing.
    pub async fn restore(&self, mut input: impl BufRead, mut progress: impl FnMut(&str, u64)) -> Result<Counts> {
        let mut line_no = 0usize;
        // Lines are read with a bound, so a file without newlines cannot
        // exhaust memory.
        let mut next = || -> Result<Option<(usize, Value)>> {
            let mut buf = Vec::new();
            let read = (&mut input)
                .take(MAX_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut buf)
                .map_err(|e| bad(line_no + 1, format!("unreadable: {e}")))?;
            if read == 0 {
                return Ok(None);
            }
            line_no += 1;
            if buf.len() > MAX_LINE_BYTES {
                return Err(bad(line_no, "longer than 16 MiB"));
            }
            serde_json::from_slice(&buf).map(|v| Some((line_no, v))).map_err(|e| bad(line_no, e))
        };
        let (n, head) = next()?.ok_or_else(|| bad(1, "the file is empty"))?;
        if head["format"] != FORMAT || head["version"] != VERSION {
            return Err(bad(n, "not a Tandem backup of format version 1"));
        }
        let schema = self.schema_version().await?;
        if head["schema"].as_i64() != Some(schema) {
            return Err(bad(n, format!("made at schema version {}, this database is at {schema}", head["schema"])));
        }
        let mut tx = self.write().await?;
        for table in TABLES {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let c: i64 = sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(&mut *tx).await?;
            if c > 0 {
                return Err(StoreError::Conflict(format!(
                    "restore needs an empty database; table {table} has {c} rows (start from a new database)"
                )));
            }
        }
        let mut counts = Counts::default();
        let mut expected = TABLES.iter();
        let mut pending: Option<(usize, Value)> = next()?;
        loop {
            let Some((n, line)) = pending.take() else { return Err(bad(0, "the file ends before its end line")) };
            if line["end"] == true {
                if line["rows"].as_u64() != Some(counts.rows) {
                    return Err(bad(
                        n,
                        format!("the end line counts {} rows, the file holds {}", line["rows"], counts.rows),
                    ));
                }
                if let Some(t) = expected.next() {
                    return Err(bad(n, format!("table {t} is missing")));
                }
                break;
            }
            let table = line["table"].as_str().ok_or_else(|| bad(n, "expected a table line"))?;
            let want = expected.next().ok_or_else(|| bad(n, format!("unexpected table {table}")))?;
            if table != *want {
                return Err(bad(n, format!("expected table {want}, found {table}")));
            }
            let schema_cols = columns(self, table).await?;
            let file_cols: Vec<&str> = line["columns"]
                .as_array()
                .ok_or_else(|| bad(n, "columns must be a list"))?
                .iter()
                .map(|c| c.as_str().ok_or_else(|| bad(n, "a column name must be text")))
                .collect::<Result<_>>()?;
            // Names come from the schema: the file only says which, and in what order.
            let mut cols: Vec<(&str, Kind)> = Vec::with_capacity(file_cols.len());
            for c in &file_cols {
                let found = schema_cols
                    .iter()
                    .find(|(s, _)| s == c)
                    .ok_or_else(|| bad(n, format!("{table} has no column {c}")))?;
                if cols.iter().any(|(x, _)| x == c) {
                    return Err(bad(n, format!("column {c} twice")));
                }
                cols.push((found.0.as_str(), found.1));
            }
            let deferred: Vec<usize> = cols
                .iter()
                .enumerate()
                .filter(|(_, (c, _))| SELF_REFERENCES.contains(&(table, c)))
                .map(|(i, _)| i)
                .collect();
            let params: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(i, (_, k))| match self.backend() {
                    Backend::Postgres => format!("CAST(${} AS {})", i + 1, pg_type(*k)),
                    Backend::Sqlite => format!("${}", i + 1),
                })
                .collect();
            let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
            let insert = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), params.join(", "));
            let mut later: Vec<(Value, Vec<Value>)> = Vec::new();
            let mut rows = 0u64;
            loop {
                pending = next()?;
                let Some((rn, Value::Array(vals))) = &pending else { break };
                if vals.len() != cols.len() {
                    return Err(bad(*rn, format!("{} values for {} columns", vals.len(), cols.len())));
                }
                // Not prepared once for the table: PostgreSQL would keep the
                // parameter types of the first row's nulls for every row.
                let mut q = sqlx::query(AssertSqlSafe(insert.clone())).persistent(false);
                for (i, (v, (c, kind))) in vals.iter().zip(&cols).enumerate() {
                    let v = if deferred.contains(&i) { &Value::Null } else { v };
                    q = match (kind, v) {
                        (_, Value::Null) => match kind {
                            Kind::Int => q.bind(None::<i64>),
                            Kind::Float => q.bind(None::<f64>),
                            Kind::Text => q.bind(None::<String>),
                            Kind::Bytes => q.bind(None::<Vec<u8>>),
                        },
                        (Kind::Int, Value::Number(x)) if x.is_i64() => q.bind(x.as_i64()),
                        (Kind::Float, Value::Number(x)) => q.bind(x.as_f64()),
                        (Kind::Text, Value::String(s)) => q.bind(s.clone()),
                        (Kind::Bytes, Value::String(s)) => q.bind(
                            BASE64
                                .decode(s)
                                .map_err(|_| bad(*rn, format!("{table}.{c}: bytes that are not base64")))?,
                        ),
                        _ => return Err(bad(*rn, format!("{table}.{c}: {v} is not a {kind:?} value"))),
                    };
                }
                q.execute(&mut *tx).await.map_err(|e| bad(*rn, format!("{table}: {e}")))?;
                if !deferred.is_empty() {
                    let id_at = names.iter().position(|c| *c == "id").ok_or_else(|| bad(*rn, "no id"))?;
                    later.push((vals[id_at].clone(), deferred.iter().map(|i| vals[*i].clone()).collect()));
                }
                rows += 1;
            }
            for (id, values) in later {
                for (slot, v) in deferred.iter().zip(values) {
                    let Some(x) = v.as_i64() else { continue };
                    let sql = format!("UPDATE {table} SET {} = $1 WHERE id = $2", names[*slot]);
                    sqlx::query(AssertSqlSafe(sql)).bind(x).bind(id.as_i64()).execute(&mut *tx).await?;
                }
            }
            if self.backend() == Backend::Postgres && names.contains(&"id") {
                // Identity columns continue after the restored ids.
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                );
                sqlx::query(AssertSqlSafe(sql)).execute(&mut *tx).await?;
            }
            progress(table, rows);
            counts.tables += 1;
            counts.rows += rows;
        }
        if self.backend() == Backend::Sqlite {
            let broken: Vec<(String,)> =
                sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&mut *tx).await?;
            if let Some((t,)) = broken.first() {
                return Err(StoreError::BadBackup(format!("rows of {t} reference rows that are not in it")));
            }
        }
        tx.commit().await?;
        Ok(counts)
    }
}
