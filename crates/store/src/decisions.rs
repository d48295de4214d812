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
