//! Bulk actions on tasks: move a selection to a sprint (or out of
//! sprints), or set its board status with the progress rules of a single
//! edit, in one transaction: all or none.

use serde::Deserialize;
use tandem_core::Id;
use tandem_core::project::BoardStatus;
use tandem_store::tasks::TaskEdit;
use utoipa::ToSchema;

use super::tasks::{check_progress, fill_progress};
use crate::App;
use crate::access::InProject;
use crate::error::AppError;
use crate::ops::BulkResult;

tandem_core::str_enum! {
    /// What a bulk action on tasks does.
    pub enum BulkTaskAction { Sprint = "sprint" => "Move to a sprint", Status = "status" => "Set the status" }
}

/// `POST /projects/{id}/tasks/bulk`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkTasks {
    /// The tasks to act on (1–500, all of this project).
    pub ids: Vec<Id>,
    pub action: BulkTaskAction,
    /// For `sprint`: the sprint, or `null` to take the tasks out of sprints.
    pub sprint_id: Option<Id>,
    /// For `status`: the board status.
    pub status: Option<BoardStatus>,
}

/// The most tasks one bulk action takes.
pub const MAX_BULK_TASKS: usize = 500;

/// Applies the action to every task; `a` proves the right to edit the
/// plan.
pub async fn bulk_tasks(state: &App, a: &InProject, req: BulkTasks) -> Result<BulkResult, AppError> {
    let mut ids = req.ids;
    ids.sort_unstable_by_key(|i| i.0);
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_BULK_TASKS {
        return Err(AppError::invalid("ids", format!("pick from 1 to {MAX_BULK_TASKS} tasks")));
    }
    let project = a.scope.project_id;
    let tasks = state.store.tasks(project).await?;
    let mut edits = Vec::with_capacity(ids.len());
    for id in ids {
        let t = tasks.iter().find(|t| t.id == id).ok_or(AppError::NotFound)?;
        let mut e = TaskEdit::of(t);
        match req.action {
            BulkTaskAction::Sprint => e.sprint_id = req.sprint_id,
            BulkTaskAction::Status => {
                let status = req.status.ok_or_else(|| AppError::invalid("status", "pick the status to set"))?;
                if t.kind == tandem_core::project::TaskKind::Summary {
                    // A summary's progress is its subtasks'.
                    continue;
                }
                e.status = status;
                fill_progress(state, project, Some(id), &mut e).await?;
                check_progress(&e)?;
            }
        }
        if e != TaskEdit::of(t) {
            edits.push((id, t.version, e));
        }
    }
    let changed = edits.len();
    if changed > 0 {
        state.store.update_tasks(a.user_id, edits, state.clock.now()).await?;
    }
    Ok(BulkResult { changed })
}
