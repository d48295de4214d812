//! The risk register and defects of a project.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::custom::{CustomValues, FieldObject};
use tandem_core::risk::{Defect, DefectStatus, Risk, RiskResponse, RiskStatus, Severity, exposure};
use tandem_core::validate::Invalid;
use tandem_core::{Id, Millis};

use crate::activity::{change, record, record_update};
use crate::custom;
use crate::product::Tx;
use crate::rows::{check_version, id, millis, opt_id, word};
use crate::tasks::{next_number, project_workspace};
use crate::{Result, Store, StoreError};

/// How many risks, and defects, one project may hold.
pub const MAX_RISKS: i64 = 10_000;
pub const MAX_DEFECTS: i64 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskEdit {
    pub title: String,
    pub description: String,
    pub probability: i64,
    pub impact: i64,
    pub cost_impact_minor: i64,
    pub owner_id: Option<Id>,
    pub response: RiskResponse,
    pub mitigation: String,
    pub trigger: String,
    pub status: RiskStatus,
    pub task_ids: Vec<Id>,
    /// Custom values: on an update the stored ones with what the edit
    /// sends laid over them (`null` clears one).
    pub custom_fields: CustomValues,
}

macro_rules! risk_cols {
    () => {
        "SELECT r.id, r.project_id, p.key AS project_key, r.number, r.title, r.description, r.probability, r.impact, \
         r.cost_impact_minor, r.owner_id, r.response, r.mitigation, r.trigger_text, r.status, r.version, \
         r.created_at, r.updated_at FROM risks r JOIN projects p ON p.id = r.project_id"
    };
}

fn risk(row: &AnyRow) -> Result<Risk> {
    let key: String = row.try_get("project_key")?;
    let number: i64 = row.try_get("number")?;
    let probability: i64 = row.try_get("probability")?;
    let impact: i64 = row.try_get("impact")?;
    let cost: i64 = row.try_get("cost_impact_minor")?;
    Ok(Risk {
        id: id(row, "id")?,
        project_id: id(row, "project_id")?,
        key: format!("{key}-{number}"),
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        probability,
        impact,
        score: probability * impact,
        cost_impact_minor: cost,
        exposure_minor: exposure(probability, cost),
        owner_id: opt_id(row, "owner_id")?,
        response: word(row, "response", RiskResponse::parse)?,
        mitigation: row.try_get("mitigation")?,
        trigger: row.try_get("trigger_text")?,
        status: word(row, "status", RiskStatus::parse)?,
        task_ids: Vec::new(),
        custom_fields: CustomValues::new(),
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn with_tasks(tx: &mut Tx, mut r: Risk) -> Result<Risk> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT task_id FROM risk_tasks WHERE risk_id = $1 ORDER BY task_id")
        .bind(r.id.0)
        .fetch_all(&mut **tx)
        .await?;
    r.task_ids = ids.into_iter().map(Id).collect();
    Ok(r)
}

async fn fetch_risk(tx: &mut Tx, r: Id) -> Result<Risk> {
    let row = sqlx::query(concat!(risk_cols!(), " WHERE r.id = $1"))
        .bind(r.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut out = with_tasks(tx, risk(&row)?).await?;
    out.custom_fields = custom::values_of(&mut **tx, FieldObject::Risk, r).await?;
    Ok(out)
}

/// Owners are members of the workspace; linked tasks are the project's.
async fn check_risk_links(tx: &mut Tx, ws: Id, project: Id, e: &RiskEdit) -> Result<()> {
    crate::workspaces::check_member(tx, ws, e.owner_id, "owner_id").await?;
    for t in &e.task_ids {
        let p: Option<i64> = sqlx::query_scalar("SELECT project_id FROM tasks WHERE id = $1")
            .bind(t.0)
            .fetch_optional(&mut **tx)
            .await?;
        if p != Some(project.0) {
            return Err(StoreError::Invalid(Invalid::new("task_ids", "names a task not in this project")));
        }
    }
    Ok(())
}

async fn write_risk_tasks(tx: &mut Tx, r: Id, tasks: &[Id]) -> Result<()> {
    sqlx::query("DELETE FROM risk_tasks WHERE risk_id = $1").bind(r.0).execute(&mut **tx).await?;
    let mut seen = std::collections::HashSet::new();
    for t in tasks.iter().filter(|t| seen.insert(**t)) {
        sqlx::query("INSERT INTO risk_tasks (risk_id, task_id) VALUES ($1, $2)")
            .bind(r.0)
            .bind(t.0)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefectEdit {
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub status: DefectStatus,
    pub feature_id: Option<Id>,
    pub task_id: Option<Id>,
    pub found_in_release_id: Option<Id>,
    pub fixed_in_release_id: Option<Id>,
    pub found_after_release: bool,
    /// Custom values: on an update the stored ones with what the edit
    /// sends laid over them (`null` clears one).
    pub custom_fields: CustomValues,
}

macro_rules! defect_cols {
    () => {
        "SELECT d.id, d.project_id, p.key AS project_key, d.number, d.title, d.description, d.severity, d.status, \
         d.feature_id, d.task_id, d.found_in_release_id, d.fixed_in_release_id, d.found_after_release, \
         d.reporter_id, d.version, d.created_at, d.updated_at FROM defects d JOIN projects p ON p.id = d.project_id"
    };
}

fn defect(row: &AnyRow) -> Result<Defect> {
    let key: String = row.try_get("project_key")?;
    let number: i64 = row.try_get("number")?;
    let after: i64 = row.try_get("found_after_release")?;
    Ok(Defect {
        id: id(row, "id")?,
        project_id: id(row, "project_id")?,
        key: format!("{key}-{number}"),
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        severity: word(row, "severity", Severity::parse)?,
        status: word(row, "status", DefectStatus::parse)?,
        feature_id: opt_id(row, "feature_id")?,
        task_id: opt_id(row, "task_id")?,
        found_in_release_id: opt_id(row, "found_in_release_id")?,
        fixed_in_release_id: opt_id(row, "fixed_in_release_id")?,
        found_after_release: after != 0,
        reporter_id: id(row, "reporter_id")?,
        custom_fields: CustomValues::new(),
        version: row.try_get("version")?,
        created_at: millis(row, "created_at")?,
        updated_at: millis(row, "updated_at")?,
    })
}

async fn fetch_defect(tx: &mut Tx, d: Id) -> Result<Defect> {
    let row = sqlx::query(concat!(defect_cols!(), " WHERE d.id = $1"))
        .bind(d.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut out = defect(&row)?;
    out.custom_fields = custom::values_of(&mut **tx, FieldObject::Defect, d).await?;
    Ok(out)
}

/// A defect's feature and releases are of the workspace; its task of the project.
async fn check_defect_links(tx: &mut Tx, ws: Id, project: Id, e: &DefectEdit) -> Result<()> {
    let checks: [(&'static str, &'static str, Option<Id>); 3] = [
        ("feature_id", "SELECT workspace_id FROM features WHERE id = $1", e.feature_id),
        ("found_in_release_id", "SELECT workspace_id FROM releases WHERE id = $1", e.found_in_release_id),
        ("fixed_in_release_id", "SELECT workspace_id FROM releases WHERE id = $1", e.fixed_in_release_id),
    ];
    for (field, sql, v) in checks {
        if let Some(x) = v {
            let owner: Option<i64> = sqlx::query_scalar(sql).bind(x.0).fetch_optional(&mut **tx).await?;
            if owner != Some(ws.0) {
                return Err(StoreError::Invalid(Invalid::new(field, "is not in this workspace")));
            }
        }
    }
    if let Some(t) = e.task_id {
        let p: Option<i64> = sqlx::query_scalar("SELECT project_id FROM tasks WHERE id = $1")
            .bind(t.0)
            .fetch_optional(&mut **tx)
            .await?;
        if p != Some(project.0) {
            return Err(StoreError::Invalid(Invalid::new("task_id", "is not a task of this project")));
        }
    }
    Ok(())
}

/// Adds a risk inside a write transaction (a stand-up blocker becomes one
/// in the transaction that records it).
pub(crate) async fn insert_risk(tx: &mut Tx, actor: Id, project: Id, e: &RiskEdit, now: Millis) -> Result<Risk> {
    // The number, the workspace and the count in one statement: the
    // writer is held for every round trip of a write transaction. Tasks,
    // risks and defects share the numbers, so below the limit no count
    // is needed (counting grows with the register).
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "UPDATE projects SET next_task_number = next_task_number + 1 WHERE id = $1 \
         RETURNING next_task_number - 1, workspace_id, \
         CASE WHEN next_task_number - 1 <= $2 THEN 0 ELSE (SELECT COUNT(*) FROM risks WHERE project_id = $1) END",
    )
    .bind(project.0)
    .bind(MAX_RISKS)
    .fetch_optional(&mut **tx)
    .await?;
    let (number, ws, n) = row.ok_or(StoreError::NotFound)?;
    let ws = Id(ws);
    if n >= MAX_RISKS {
        return Err(StoreError::Conflict(format!("a project holds at most {MAX_RISKS} risks")));
    }
    check_risk_links(tx, ws, project, e).await?;
    // The new row comes back whole, its project's key included, instead
    // of being read again.
    let row = sqlx::query(
        "INSERT INTO risks (workspace_id, project_id, number, title, description, probability, impact, \
         cost_impact_minor, owner_id, response, mitigation, trigger_text, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) \
         RETURNING id, project_id, (SELECT key FROM projects WHERE id = $2) AS project_key, number, title, \
         description, probability, impact, cost_impact_minor, owner_id, response, mitigation, trigger_text, \
         status, version, created_at, updated_at",
    )
    .bind(ws.0)
    .bind(project.0)
    .bind(number)
    .bind(&e.title)
    .bind(&e.description)
    .bind(e.probability)
    .bind(e.impact)
    .bind(e.cost_impact_minor)
    .bind(e.owner_id.map(|o| o.0))
    .bind(e.response.as_str())
    .bind(&e.mitigation)
    .bind(&e.trigger)
    .bind(e.status.as_str())
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    let mut r = risk(&row)?;
    if !e.task_ids.is_empty() {
        write_risk_tasks(tx, r.id, &e.task_ids).await?;
        r = with_tasks(tx, r).await?;
    }
    r.custom_fields = custom::save(tx, ws, FieldObject::Risk, r.id, &CustomValues::new(), &e.custom_fields).await?;
    let after = json!({"key": r.key, "title": r.title, "score": r.score});
    record(tx, &change(ws, actor, "risk.created", "risk", r.id).after(after), now).await?;
    Ok(r)
}

impl Store {
    pub async fn create_risk(&self, actor: Id, project: Id, e: &RiskEdit, now: Millis) -> Result<Risk> {
        let mut tx = self.write().await?;
        let r = insert_risk(&mut tx, actor, project, e, now).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// The project's risks, highest score first.
    pub async fn risks(&self, project: Id) -> Result<Vec<Risk>> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(concat!(risk_cols!(), " WHERE r.project_id = $1 ORDER BY r.number"))
            .bind(project.0)
            .fetch_all(&mut *tx)
            .await?;
        // Every risk's tasks in one query, not one per risk.
        let links = sqlx::query(
            "SELECT rt.risk_id, rt.task_id FROM risk_tasks rt JOIN risks r ON r.id = rt.risk_id \
             WHERE r.project_id = $1 ORDER BY rt.risk_id, rt.task_id",
        )
        .bind(project.0)
        .fetch_all(&mut *tx)
        .await?;
        let mut values = custom::values_in(&mut *tx, FieldObject::Risk, project).await?;
        tx.commit().await?;
        let mut tasks: std::collections::HashMap<Id, Vec<Id>> = std::collections::HashMap::new();
        for l in &links {
            tasks.entry(id(l, "risk_id")?).or_default().push(id(l, "task_id")?);
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut r = risk(row)?;
            r.task_ids = tasks.remove(&r.id).unwrap_or_default();
            r.custom_fields = values.remove(&r.id.0).unwrap_or_default();
            out.push(r);
        }
        out.sort_by(|a, b| b.score.cmp(&a.score).then(b.exposure_minor.cmp(&a.exposure_minor)).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    pub async fn risk(&self, r: Id) -> Result<Risk> {
        let mut tx = self.pool.begin().await?;
        let out = fetch_risk(&mut tx, r).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn update_risk(
        &self,
        actor: Id,
        r: Id,
        version: i64,
        edit: impl FnOnce(&mut RiskEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Risk> {
        let mut tx = self.write().await?;
        let before = fetch_risk(&mut tx, r).await?;
        check_version(before.version, version)?;
        let mut e = RiskEdit {
            title: before.title.clone(),
            description: before.description.clone(),
            probability: before.probability,
            impact: before.impact,
            cost_impact_minor: before.cost_impact_minor,
            owner_id: before.owner_id,
            response: before.response,
            mitigation: before.mitigation.clone(),
            trigger: before.trigger.clone(),
            status: before.status,
            task_ids: before.task_ids.clone(),
            custom_fields: before.custom_fields.clone(),
        };
        edit(&mut e)?;
        let ws = project_workspace(&mut tx, before.project_id).await?;
        check_risk_links(&mut tx, ws, before.project_id, &e).await?;
        sqlx::query(
            "UPDATE risks SET title = $1, description = $2, probability = $3, impact = $4, cost_impact_minor = $5, \
             owner_id = $6, response = $7, mitigation = $8, trigger_text = $9, status = $10, version = version + 1, \
             updated_at = $11 WHERE id = $12",
        )
        .bind(&e.title)
        .bind(&e.description)
        .bind(e.probability)
        .bind(e.impact)
        .bind(e.cost_impact_minor)
        .bind(e.owner_id.map(|o| o.0))
        .bind(e.response.as_str())
        .bind(&e.mitigation)
        .bind(&e.trigger)
        .bind(e.status.as_str())
        .bind(now.0)
        .bind(r.0)
        .execute(&mut *tx)
        .await?;
        if e.task_ids != before.task_ids {
            write_risk_tasks(&mut tx, r, &e.task_ids).await?;
        }
        custom::save(&mut tx, ws, FieldObject::Risk, r, &before.custom_fields, &e.custom_fields).await?;
        let after = fetch_risk(&mut tx, r).await?;
        record_update(&mut tx, change(ws, actor, "risk.updated", "risk", r), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_risk(&self, actor: Id, r: Id, now: Millis) -> Result<()> {
        let mut tx = self.write().await?;
        let before = fetch_risk(&mut tx, r).await?;
        let ws = project_workspace(&mut tx, before.project_id).await?;
        sqlx::query("DELETE FROM risks WHERE id = $1").bind(r.0).execute(&mut *tx).await?;
        let b = json!({"key": before.key, "title": before.title});
        record(&mut tx, &change(ws, actor, "risk.deleted", "risk", r).before(b), now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_defect(&self, actor: Id, project: Id, e: &DefectEdit, now: Millis) -> Result<Defect> {
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, project).await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM defects WHERE project_id = $1")
            .bind(project.0)
            .fetch_one(&mut *tx)
            .await?;
        if n >= MAX_DEFECTS {
            return Err(StoreError::Conflict(format!("a project holds at most {MAX_DEFECTS} defects")));
        }
        check_defect_links(&mut tx, ws, project, e).await?;
        let number = next_number(&mut tx, project).await?;
        let did: i64 = sqlx::query_scalar(
            "INSERT INTO defects (workspace_id, project_id, number, title, description, severity, status, feature_id, \
             task_id, found_in_release_id, fixed_in_release_id, found_after_release, reporter_id, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
        )
        .bind(ws.0)
        .bind(project.0)
        .bind(number)
        .bind(&e.title)
        .bind(&e.description)
        .bind(e.severity.as_str())
        .bind(e.status.as_str())
        .bind(e.feature_id.map(|x| x.0))
        .bind(e.task_id.map(|x| x.0))
        .bind(e.found_in_release_id.map(|x| x.0))
        .bind(e.fixed_in_release_id.map(|x| x.0))
        .bind(i64::from(e.found_after_release))
        .bind(actor.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        custom::save(&mut tx, ws, FieldObject::Defect, Id(did), &CustomValues::new(), &e.custom_fields).await?;
        let d = fetch_defect(&mut tx, Id(did)).await?;
        let after = json!({"key": d.key, "title": d.title, "severity": d.severity});
        record(&mut tx, &change(ws, actor, "defect.created", "defect", d.id).after(after), now).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// The project's defects, newest first.
    pub async fn defects(&self, project: Id) -> Result<Vec<Defect>> {
        let rows = sqlx::query(concat!(defect_cols!(), " WHERE d.project_id = $1 ORDER BY d.number DESC"))
            .bind(project.0)
            .fetch_all(&self.pool)
            .await?;
        let mut values = custom::values_in(&self.pool, FieldObject::Defect, project).await?;
        rows.iter()
            .map(|row| {
                let mut d = defect(row)?;
                d.custom_fields = values.remove(&d.id.0).unwrap_or_default();
                Ok(d)
            })
            .collect()
    }

    pub async fn defect(&self, d: Id) -> Result<Defect> {
        let mut tx = self.pool.begin().await?;
        let out = fetch_defect(&mut tx, d).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn update_defect(
        &self,
        actor: Id,
        d: Id,
        version: i64,
        edit: impl FnOnce(&mut DefectEdit) -> Result<(), Invalid>,
        now: Millis,
    ) -> Result<Defect> {
        let mut tx = self.write().await?;
        let before = fetch_defect(&mut tx, d).await?;
        check_version(before.version, version)?;
        let mut e = DefectEdit {
            title: before.title.clone(),
            description: before.description.clone(),
            severity: before.severity,
            status: before.status,
            feature_id: before.feature_id,
            task_id: before.task_id,
            found_in_release_id: before.found_in_release_id,
            fixed_in_release_id: before.fixed_in_release_id,
            found_after_release: before.found_after_release,
            custom_fields: before.custom_fields.clone(),
        };
        edit(&mut e)?;
        let ws = project_workspace(&mut tx, before.project_id).await?;
        check_defect_links(&mut tx, ws, before.project_id, &e).await?;
        sqlx::query(
            "UPDATE defects SET title = $1, description = $2, severity = $3, status = $4, feature_id = $5, \
             task_id = $6, found_in_release_id = $7, fixed_in_release_id = $8, found_after_release = $9, \
             version = version + 1, updated_at = $10 WHERE id = $11",
        )
        .bind(&e.title)
        .bind(&e.description)
        .bind(e.severity.as_str())
        .bind(e.status.as_str())
        .bind(e.feature_id.map(|x| x.0))
        .bind(e.task_id.map(|x| x.0))
        .bind(e.found_in_release_id.map(|x| x.0))
        .bind(e.fixed_in_release_id.map(|x| x.0))
        .bind(i64::from(e.found_after_release))
        .bind(now.0)
        .bind(d.0)
        .execute(&mut *tx)
        .await?;
        custom::save(&mut tx, ws, FieldObject::Defect, d, &before.custom_fields, &e.custom_fields).await?;
        let after = fetch_defect(&mut tx, d).await?;
        record_update(&mut tx, change(ws, actor, "defect.updated", "defect", d), &before, &after, now).await?;
        tx.commit().await?;
        Ok(after)
    }
}
