//! Decision rights: each workspace's RACI matrix.

use tandem_core::decision::Matrix;
use tandem_core::{Id, Millis};

use crate::activity::{change, record};
use crate::rows::check_version;
use crate::{Result, Store, StoreError};

/// A workspace's matrix and its version (0: the defaults, never edited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMatrix {
    pub matrix: Matrix,
    pub version: i64,
}

fn parse(j: &str) -> Result<Matrix> {
    serde_json::from_str(j).map_err(|e| StoreError::Corrupt(format!("rows_json: {e}")))
}

impl Store {
    pub async fn decision_matrix(&self, ws: Id) -> Result<StoredMatrix> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT rows_json, version FROM decision_matrices WHERE workspace_id = $1")
                .bind(ws.0)
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some((j, version)) => Ok(StoredMatrix { matrix: parse(&j)?, version }),
            None => Ok(StoredMatrix { matrix: Matrix::default(), version: 0 }),
        }
    }

    /// Replaces the matrix if `version` is the stored one (0 for the
    /// defaults), logging before and after.
    pub async fn set_decision_matrix(
        &self,
        actor: Id,
        ws: Id,
        version: i64,
        matrix: &Matrix,
        now: Millis,
    ) -> Result<StoredMatrix> {
        let mut tx = self.write().await?;
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT rows_json, version FROM decision_matrices WHERE workspace_id = $1")
                .bind(ws.0)
                .fetch_optional(&mut *tx)
                .await?;
        let (before, current) = match &row {
            Some((j, v)) => (parse(j)?, *v),
            None => (Matrix::default(), 0),
        };
        check_version(current, version)?;
        let j = serde_json::to_string(matrix).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if row.is_some() {
            sqlx::query(
                "UPDATE decision_matrices SET rows_json = $1, version = version + 1, updated_at = $2 WHERE workspace_id = $3",
            )
            .bind(&j)
            .bind(now.0)
            .bind(ws.0)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("INSERT INTO decision_matrices (workspace_id, rows_json, updated_at) VALUES ($1, $2, $3)")
                .bind(ws.0)
                .bind(&j)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
        }
        let to_json = |m: &Matrix| serde_json::to_value(m).map_err(|e| StoreError::Corrupt(e.to_string()));
        let entry = change(ws, actor, "decision_rights.updated", "workspace", ws)
            .before(to_json(&before)?)
            .after(to_json(matrix)?);
        record(&mut tx, &entry, now).await?;
        tx.commit().await?;
        Ok(StoredMatrix { matrix: matrix.clone(), version: current + 1 })
    }
}

// ---- change requests and the decision log ----

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use tandem_core::Role;
use tandem_core::change::{Approval, ChangeRequest, CrStatus, DecisionEntry, Dimension, Edit, Impact};
use tandem_core::validate::Invalid;

use crate::product::Tx;
use crate::rows::{id, millis, opt_id, word};
use crate::tasks::{next_number, project_workspace};

macro_rules! cr_cols {
    () => {
        "SELECT c.id, c.workspace_id, c.project_id, p.key AS project_key, c.number, c.title, c.description, \
         c.edits_json, c.status, c.dimensions_json, c.impact_json, c.required_json, c.plan_fingerprint, c.round, \
         c.created_by, c.version, c.created_at, c.updated_at FROM change_requests c JOIN projects p ON p.id = c.project_id"
    };
}

fn json_col<T: serde::de::DeserializeOwned>(row: &AnyRow, col: &str) -> Result<T> {
    let j: String = row.try_get(col)?;
    serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A stored request with what the server needs beyond the record.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCr {
    pub cr: ChangeRequest,
    pub workspace_id: Id,
    pub fingerprint: Option<String>,
    pub round: i64,
}

async fn fetch_cr(tx: &mut Tx, c: Id) -> Result<StoredCr> {
    let row = sqlx::query(concat!(cr_cols!(), " WHERE c.id = $1"))
        .bind(c.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let key: String = row.try_get("project_key")?;
    let number: i64 = row.try_get("number")?;
    let round: i64 = row.try_get("round")?;
    let impact: Option<String> = row.try_get("impact_json")?;
    let cid = id(&row, "id")?;
    let calls = sqlx::query(
        "SELECT user_id, role, outcome, rationale, at FROM decisions WHERE subject_type = 'change_request' \
         AND subject_id = $1 AND round = $2 AND outcome IN ('approve', 'reject', 'opinion') ORDER BY id",
    )
    .bind(cid.0)
    .bind(round)
    .fetch_all(&mut **tx)
    .await?;
    let approvals = calls
        .iter()
        .map(|r| {
            Ok(Approval {
                role: word(r, "role", |s| s.parse::<Role>().ok())?,
                user_id: id(r, "user_id")?,
                decision: r.try_get("outcome")?,
                rationale: r.try_get("rationale")?,
                at: millis(r, "at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(StoredCr {
        cr: ChangeRequest {
            id: cid,
            project_id: id(&row, "project_id")?,
            key: format!("{key}-{number}"),
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            edits: json_col(&row, "edits_json")?,
            status: word(&row, "status", CrStatus::parse)?,
            dimensions: json_col(&row, "dimensions_json")?,
            impact: impact
                .map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(e.to_string())))
                .transpose()?,
            required: json_col(&row, "required_json")?,
            approvals,
            created_by: id(&row, "created_by")?,
            version: row.try_get("version")?,
            created_at: millis(&row, "created_at")?,
            updated_at: millis(&row, "updated_at")?,
        },
        workspace_id: id(&row, "workspace_id")?,
        fingerprint: row.try_get("plan_fingerprint")?,
        round,
    })
}

/// What a decision-log entry says: the decision kind, the outcome and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call<'a> {
    pub kind: &'a str,
    pub outcome: &'a str,
    pub rationale: &'a str,
}

/// Appends an entry to the decision log inside the caller's transaction,
/// and tells whom it concerns (never `acted_by`, whose act it records).
/// `subject` is (type, id, round).
pub(crate) async fn log_decision(
    tx: &mut Tx,
    ws: Id,
    subject: (&str, Id, i64),
    who: Option<(Id, Role)>,
    call: Call<'_>,
    acted_by: Option<Id>,
    now: Millis,
) -> Result<()> {
    let Call { kind, outcome, rationale } = call;
    sqlx::query(
        "INSERT INTO decisions (workspace_id, kind, subject_type, subject_id, round, user_id, role, outcome, rationale, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(ws.0)
    .bind(kind)
    .bind(subject.0)
    .bind(subject.1.0)
    .bind(subject.2)
    .bind(who.map(|w| w.0.0))
    .bind(who.map(|w| w.1.as_str().to_owned()))
    .bind(outcome)
    .bind(rationale)
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    crate::notifications::after_decision(tx, ws, (subject.0, subject.1), kind, outcome, acted_by, now).await
}

/// What submitting computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    pub dimensions: Vec<Dimension>,
    pub impact: Impact,
    pub required: Vec<Role>,
    pub fingerprint: String,
}

/// Filters of the decision log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionFilter {
    pub kind: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<Id>,
    /// Words searched in the outcome and rationale.
    pub q: Option<String>,
}

impl Store {
    pub async fn create_change_request(
        &self,
        actor: Id,
        project: Id,
        title: &str,
        description: &str,
        edits: &[Edit],
        now: Millis,
    ) -> Result<ChangeRequest> {
        let mut tx = self.write().await?;
        let ws = project_workspace(&mut tx, project).await?;
        let number = next_number(&mut tx, project).await?;
        let cid: i64 = sqlx::query_scalar(
            "INSERT INTO change_requests (workspace_id, project_id, number, title, description, edits_json, status, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $8) RETURNING id",
        )
        .bind(ws.0)
        .bind(project.0)
        .bind(number)
        .bind(title)
        .bind(description)
        .bind(to_json(&edits)?)
        .bind(actor.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let c = fetch_cr(&mut tx, Id(cid)).await?;
        record(
            &mut tx,
            &change(ws, actor, "change_request.created", "change_request", c.cr.id)
                .after(json!({"key": c.cr.key, "title": title})),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(c.cr)
    }

    pub async fn change_request(&self, c: Id) -> Result<StoredCr> {
        let mut tx = self.pool.begin().await?;
        let out = fetch_cr(&mut tx, c).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The project's requests, newest first.
    pub async fn change_requests(&self, project: Id) -> Result<Vec<ChangeRequest>> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM change_requests WHERE project_id = $1 ORDER BY id DESC")
            .bind(project.0)
            .fetch_all(&self.pool)
            .await?;
        let mut tx = self.pool.begin().await?;
        let mut out = Vec::with_capacity(ids.len());
        for i in ids {
            out.push(fetch_cr(&mut tx, Id(i)).await?.cr);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Submits (or re-routes) a request: a new round of calls on a new
    /// impact. `reason` goes to the log (`submitted` or `recomputed`).
    pub async fn route_change_request(
        &self,
        actor: (Id, Role),
        c: Id,
        version: i64,
        routing: &Routing,
        reason: &str,
        now: Millis,
    ) -> Result<ChangeRequest> {
        let mut tx = self.write().await?;
        let before = fetch_cr(&mut tx, c).await?;
        check_version(before.cr.version, version)?;
        if !matches!(before.cr.status, CrStatus::Draft | CrStatus::Submitted | CrStatus::Escalated | CrStatus::Approved)
        {
            return Err(StoreError::Conflict(format!(
                "the request is {} and can no longer be submitted",
                before.cr.status
            )));
        }
        sqlx::query(
            "UPDATE change_requests SET status = 'submitted', dimensions_json = $1, impact_json = $2, required_json = $3, \
             plan_fingerprint = $4, round = round + 1, version = version + 1, updated_at = $5 WHERE id = $6",
        )
        .bind(to_json(&routing.dimensions)?)
        .bind(to_json(&routing.impact)?)
        .bind(to_json(&routing.required)?)
        .bind(&routing.fingerprint)
        .bind(now.0)
        .bind(c.0)
        .execute(&mut *tx)
        .await?;
        let rationale = format!(
            "finish {:+} working days; routed to {}",
            routing.impact.finish_delta_working_days,
            routing.required.iter().map(|r| r.label()).collect::<Vec<_>>().join(" and ")
        );
        let call = Call { kind: "change_request", outcome: reason, rationale: &rationale };
        log_decision(
            &mut tx,
            before.workspace_id,
            ("change_request", c, before.round + 1),
            Some(actor),
            call,
            Some(actor.0),
            now,
        )
        .await?;
        let entry = change(before.workspace_id, actor.0, "change_request.submitted", "change_request", c)
            .after(json!({"key": before.cr.key, "title": before.cr.title, "required": routing.required}));
        record(&mut tx, &entry, now).await?;
        let after = fetch_cr(&mut tx, c).await?;
        tx.commit().await?;
        Ok(after.cr)
    }

    /// Records a call on the current round and moves the request to the
    /// status the calls add up to (`next`, when they decide it).
    pub async fn decide_change_request(
        &self,
        actor: (Id, Role),
        c: Id,
        call: Call<'_>,
        next: impl FnOnce(&ChangeRequest) -> Option<CrStatus>,
        now: Millis,
    ) -> Result<ChangeRequest> {
        let mut tx = self.write().await?;
        let before = fetch_cr(&mut tx, c).await?;
        log_decision(
            &mut tx,
            before.workspace_id,
            ("change_request", c, before.round),
            Some(actor),
            call,
            Some(actor.0),
            now,
        )
        .await?;
        let mid = fetch_cr(&mut tx, c).await?;
        if let Some(status) = next(&mid.cr) {
            sqlx::query("UPDATE change_requests SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(status.as_str())
                .bind(now.0)
                .bind(c.0)
                .execute(&mut *tx)
                .await?;
            let outcome = match status {
                CrStatus::Escalated => "escalated",
                CrStatus::Approved => "approved",
                CrStatus::Rejected => "rejected",
                other => other.as_str(),
            };
            let call = Call { kind: "change_request", outcome, rationale: "" };
            log_decision(
                &mut tx,
                before.workspace_id,
                ("change_request", c, before.round),
                None,
                call,
                Some(actor.0),
                now,
            )
            .await?;
        } else {
            sqlx::query("UPDATE change_requests SET version = version + 1, updated_at = $1 WHERE id = $2")
                .bind(now.0)
                .bind(c.0)
                .execute(&mut *tx)
                .await?;
        }
        let after = fetch_cr(&mut tx, c).await?;
        let entry = change(before.workspace_id, actor.0, "change_request.decided", "change_request", c).after(json!({
            "key": after.cr.key, "title": after.cr.title, "call": call.outcome, "status": after.cr.status.as_str()
        }));
        record(&mut tx, &entry, now).await?;
        tx.commit().await?;
        Ok(after.cr)
    }

    /// The decision log, newest first, filtered.
    pub async fn decisions(&self, ws: Id, f: &DecisionFilter, limit: i64) -> Result<Vec<DecisionEntry>> {
        let rows = sqlx::query(concat!(
            decision_cols!(),
            "WHERE workspace_id = $1 AND ($2 = '' OR kind = $2) AND ($3 = '' OR subject_type = $3) \
             AND ($4 = 0 OR subject_id = $4) AND ($5 = '' OR LOWER(rationale) LIKE $5 OR LOWER(outcome) LIKE $5) \
             ORDER BY id DESC LIMIT $6"
        ))
        .bind(ws.0)
        .bind(f.kind.clone().unwrap_or_default())
        .bind(f.subject_type.clone().unwrap_or_default())
        .bind(f.subject_id.map_or(0, |s| s.0))
        .bind(f.q.as_ref().map_or_else(String::new, |q| format!("%{}%", q.to_lowercase().replace(['%', '_'], ""))))
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decision_row).collect()
    }

    /// Decision-log entries with ids in `(after, upto]`, oldest first.
    pub async fn decisions_between(&self, ws: Id, after: Id, upto: Id, limit: i64) -> Result<Vec<DecisionEntry>> {
        let rows = sqlx::query(concat!(
            decision_cols!(),
            "WHERE workspace_id = $1 AND id > $2 AND id <= $3 ORDER BY id LIMIT $4"
        ))
        .bind(ws.0)
        .bind(after.0)
        .bind(upto.0)
        .bind(limit.max(1))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decision_row).collect()
    }

    /// The mark before the workspace's first decision after `at` (see
    /// [`Store::activity_mark_before`]).
    pub async fn decision_mark_before(&self, ws: Id, at: Millis) -> Result<Id> {
        let v: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM decisions WHERE workspace_id = $1 AND at > $2")
            .bind(ws.0)
            .bind(at.0)
            .fetch_one(&self.pool)
            .await?;
        match v {
            Some(first) => Ok(Id(first - 1)),
            None => self.decision_mark(ws, at).await,
        }
    }

    /// The id of the workspace's last decision-log entry at or before `at`.
    pub async fn decision_mark(&self, ws: Id, at: Millis) -> Result<Id> {
        let v: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM decisions WHERE workspace_id = $1 AND at <= $2")
            .bind(ws.0)
            .bind(at.0)
            .fetch_one(&self.pool)
            .await?;
        Ok(Id(v.unwrap_or(0)))
    }
}

macro_rules! decision_cols {
    () => {
        concat!(
            "SELECT id, workspace_id, kind, subject_type, subject_id, user_id, role, outcome, rationale, at, ",
            crate::activity::subject_label!("decisions"),
            " FROM decisions "
        )
    };
}
use decision_cols;

fn decision_row(r: &sqlx::any::AnyRow) -> Result<DecisionEntry> {
    Ok(DecisionEntry {
        id: id(r, "id")?,
        workspace_id: id(r, "workspace_id")?,
        kind: r.try_get("kind")?,
        subject_type: r.try_get("subject_type")?,
        subject_id: id(r, "subject_id")?,
        subject_label: r.try_get("subject_label")?,
        user_id: opt_id(r, "user_id")?,
        role: r.try_get::<Option<String>, _>("role")?.and_then(|s| s.parse().ok()),
        outcome: r.try_get("outcome")?,
        rationale: r.try_get("rationale")?,
        at: millis(r, "at")?,
    })
}

/// Checks a request's edits name things of its project and workspace.
pub fn edits_count(edits: &[Edit]) -> std::result::Result<(), Invalid> {
    if edits.is_empty() || edits.len() > tandem_core::change::MAX_EDITS {
        return Err(Invalid::new("edits", format!("from 1 to {} edits", tandem_core::change::MAX_EDITS)));
    }
    Ok(())
}

impl Store {
    /// Appends one entry to the decision log in its own transaction.
    pub async fn log_decision_entry(
        &self,
        ws: Id,
        subject: (&str, Id),
        who: (Id, Role),
        call: Call<'_>,
        now: Millis,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        log_decision(&mut tx, ws, (subject.0, subject.1, 0), Some(who), call, Some(who.0), now).await?;
        let after = json!({"kind": call.kind, "outcome": call.outcome});
        record(&mut tx, &change(ws, who.0, "decision.recorded", "release", subject.1).after(after), now).await?;
        tx.commit().await?;
        Ok(())
    }
}
