//! Stored results: Monte Carlo runs with their inputs, and status reports.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::metrics::{ReportStatus, StatusFacts, StatusRag, StatusReport};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{change, record, record_update};
use crate::product::Tx;
use crate::rows::{check_version, id, millis, opt_millis, word};
use crate::tasks::project_workspace;
use crate::{Result, Store, StoreError};

/// How many runs one project keeps; the oldest go first.
pub const KEPT_RUNS: i64 = 50;

/// A stored Monte Carlo run: what it was asked and what it found, as the
/// server serialised them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: Id,
    pub project_id: Id,
    pub iterations: i64,
    pub seed: i64,
    pub distribution: String,
    pub inputs_json: String,
    pub results_json: String,
    pub created_by: Id,
    pub created_at: Millis,
}

fn run(row: &AnyRow) -> Result<RunRow> {
    Ok(RunRow {
        id: id(row, "id")?,
        project_id: id(row, "project_id")?,
        iterations: row.try_get("iterations")?,
        seed: row.try_get("seed")?,
        distribution: row.try_get("distribution")?,
        inputs_json: row.try_get("inputs_json")?,
        results_json: row.try_get("results_json")?,
        created_by: id(row, "created_by")?,
        created_at: millis(row, "created_at")?,
    })
}

macro_rules! run_cols {
    () => {
        "SELECT id, project_id, iterations, seed, distribution, inputs_json, results_json, created_by, created_at \
         FROM monte_carlo_runs"
    };
}

/// The parts of a report the manager edits.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportEdit {
    pub period: String,
    pub rag: StatusRag,
    pub summary: String,
}

macro_rules! report_cols {
    () => {
        "SELECT id, project_id, period, status, rag_json, facts_json, summary, created_by, published_at, version, \
         created_at, updated_at FROM status_reports"
    };
}

fn report(row: &AnyRow, render: fn(&str) -> String) -> Result<StatusReport> {
    let parse = |col: &str| -> Result<String> { row.try_get::<String, _>(col).map_err(StoreError::from) };
    let rag: StatusRag = serde_json::from_str(&parse("rag_json")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let facts: StatusFacts =
        serde_json::from_str(&parse("facts_json")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let summary: String = row.try_get("summary")?;
    Ok(StatusReport {
        id: id(row, "id")?,
        project_id: id(row, "project_id")?,
        period: row.try_get("period")?,
        status: word(row, "status", ReportStatus::parse)?,
        rag,
        facts,
        summary_html: render(&summary),
        summary,
        created_by: id(row, "created_by")?,
        published_at: opt_millis(row, "published_at")?,
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch_report(tx: &mut Tx, r: Id) -> Result<StatusReport> {
    let row = sqlx::query(concat!(report_cols!(), " WHERE id = $1"))
        .bind(r.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    report(&row, tandem_core::markdown::render)
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Stores a run, dropping the project's oldest beyond [`KEPT_RUNS`].
    pub async fn create_run(&self, r: &RunRow, now: Millis) -> Result<RunRow> {
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, r.project_id).await?;
        let rid: i64 = sqlx::query_scalar(
            "INSERT INTO monte_carlo_runs (workspace_id, project_id, iterations, seed, distribution, inputs_json, \
             results_json, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(ws.0)
        .bind(r.project_id.0)
        .bind(r.iterations)
        .bind(r.seed)
        .bind(&r.distribution)
        .bind(&r.inputs_json)
        .bind(&r.results_json)
        .bind(r.created_by.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM monte_carlo_runs WHERE project_id = $1 AND id NOT IN \
             (SELECT id FROM monte_carlo_runs WHERE project_id = $1 ORDER BY id DESC LIMIT $2)",
        )
        .bind(r.project_id.0)
        .bind(KEPT_RUNS)
        .execute(&mut *tx)
        .await?;
        let after = json!({"iterations": r.iterations, "seed": r.seed, "distribution": r.distribution});
        record(&mut tx, &change(ws, r.created_by, "monte_carlo.run", "project", r.project_id).after(after), now)
            .await?;
        let row = sqlx::query(concat!(run_cols!(), " WHERE id = $1")).bind(rid).fetch_one(&mut *tx).await?;
        let out = run(&row)?;
        tx.commit().await?;
        Ok(out)
    }

    /// The project's runs, newest first.
    pub async fn runs(&self, project: Id) -> Result<Vec<RunRow>> {
        let rows = sqlx::query(concat!(run_cols!(), " WHERE project_id = $1 ORDER BY id DESC"))
            .bind(project.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(run).collect()
    }

    pub async fn run(&self, r: Id) -> Result<RunRow> {
        let row = sqlx::query(concat!(run_cols!(), " WHERE id = $1"))
            .bind(r.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        run(&row)
    }

    pub async fn create_report(
        &self,
        actor: Id,
        project: Id,
        e: &ReportEdit,
        facts: &StatusFacts,
        now: Millis,
    ) -> Result<StatusReport> {
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, project).await?;
        let rid: i64 = sqlx::query_scalar(
            "INSERT INTO status_reports (workspace_id, project_id, period, status, rag_json, facts_json, summary, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(ws.0)
        .bind(project.0)
        .bind(&e.period)
        .bind(to_json(&e.rag)?)
        .bind(to_json(facts)?)
        .bind(&e.summary)
        .bind(actor.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let r = fetch_report(&mut tx, Id(rid)).await?;
        let after = json!({"period": r.period, "overall": r.rag.overall});
        record(&mut tx, &change(ws, actor, "status_report.drafted", "status_report", r.id).after(after), now).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// The project's reports, newest first.
    pub async fn reports(&self, project: Id) -> Result<Vec<StatusReport>> {
        let rows = sqlx::query(concat!(report_cols!(), " WHERE project_id = $1 ORDER BY id DESC"))
            .bind(project.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| report(r, tandem_core::markdown::render)).collect()
    }

    pub async fn report(&self, r: Id) -> Result<StatusReport> {
        let mut tx = self.pool.begin().await?;
        let out = fetch_report(&mut tx, r).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Edits a draft, or publishes it (`publish`), if `version` is current.
    /// A published report no longer changes.
    pub async fn update_report(
        &self,
        actor: Id,
        r: Id,
        version: i64,
        edit: impl FnOnce(&mut ReportEdit) -> Result<(), Invalid>,
        publish: bool,
        now: Millis,
    ) -> Result<StatusReport> {
        let mut tx = self.write().await?;
        let before = fetch_report(&mut tx, r).await?;
        check_version(before.version, version)?;
        if before.status == ReportStatus::Published {
            return Err(StoreError::Conflict("the report is published and no longer changes".into()));
        }
        let mut e = ReportEdit { period: before.period.clone(), rag: before.rag, summary: before.summary.clone() };
        edit(&mut e)?;
        let (status, published) =
            if publish { (ReportStatus::Published, Some(now.0)) } else { (ReportStatus::Draft, None) };
        sqlx::query(
            "UPDATE status_reports SET period = $1, rag_json = $2, summary = $3, status = $4, published_at = $5, \
             version = version + 1, updated_at = $6 WHERE id = $7",
        )
        .bind(&e.period)
        .bind(to_json(&e.rag)?)
        .bind(&e.summary)
        .bind(status.as_str())
        .bind(published)
        .bind(now.0)
        .bind(r.0)
        .execute(&mut *tx)
        .await?;
        let after = fetch_report(&mut tx, r).await?;
        let ws = project_workspace(&mut tx, before.project_id).await?;
        let action = if publish { "status_report.published" } else { "status_report.updated" };
        record_update(&mut tx, change(ws, actor, action, "status_report", r), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The project's RAG thresholds, when set.
    pub async fn project_rag(&self, p: Id) -> Result<Option<String>> {
        let raw: Option<Option<String>> = sqlx::query_scalar("SELECT rag_json FROM projects WHERE id = $1")
            .bind(p.0)
            .fetch_optional(&self.pool)
            .await?;
        raw.ok_or(StoreError::NotFound)
    }

    /// Stores the project's RAG thresholds (JSON) if `version` is the
    /// project's current one.
    pub async fn set_project_rag(&self, actor: Id, p: Id, version: i64, rag_json: &str, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT version FROM projects WHERE id = $1").bind(p.0).fetch_optional(&mut *tx).await?;
        check_version(current.ok_or(StoreError::NotFound)?, version)?;
        sqlx::query("UPDATE projects SET rag_json = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(rag_json)
            .bind(now.0)
            .bind(p.0)
            .execute(&mut *tx)
            .await?;
        let ws = project_workspace(&mut tx, p).await?;
        record(&mut tx, &change(ws, actor, "project.rag_thresholds", "project", p).after(json!({"set": true})), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
