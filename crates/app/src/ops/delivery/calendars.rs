//! The project's other calendars, checked as the engine will use them.

use serde::Deserialize;
use tandem_core::Id;
use tandem_core::project::WorkCalendar;
use tandem_core::validate::{self};
use utoipa::ToSchema;

use crate::App;
use crate::access::InProject;
use crate::error::AppError;
use crate::plan;

// ---- calendar ----

/// `PUT /projects/{id}/calendar`. (The calendar refuses unknown fields;
/// serde cannot do that on the flattening struct itself.)
#[derive(Debug, Deserialize, ToSchema)]
pub struct PutCalendar {
    #[serde(flatten)]
    pub calendar: WorkCalendar,
    /// The project's version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

pub async fn set_calendar(
    state: &App,
    a: &InProject,
    version: i64,
    cal: WorkCalendar,
) -> Result<WorkCalendar, AppError> {
    cal.check()?;
    plan::calendar(&cal)?;
    state.store.set_project_calendar(a.user_id, a.scope.project_id, version, &cal, state.clock.now()).await?;
    Ok(cal)
}

/// `POST /projects/{id}/calendars`, `PUT /calendars/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NamedCalendar {
    pub name: String,
    #[serde(flatten)]
    pub calendar: WorkCalendar,
    /// On updates: the calendar's version; or send it in `If-Match`.
    pub version: Option<i64>,
}

/// A calendar's name and working time, checked as the engine will use them.
pub fn checked_calendar(req: &NamedCalendar) -> Result<String, AppError> {
    req.calendar.check()?;
    plan::calendar(&req.calendar)?;
    Ok(validate::name("name", &req.name)?)
}

/// Adds a calendar to the project, for tasks that name it.
pub async fn create_calendar(
    state: &App,
    a: &InProject,
    req: &NamedCalendar,
) -> Result<tandem_core::project::ProjectCalendar, AppError> {
    let name = checked_calendar(req)?;
    Ok(state
        .store
        .create_project_calendar(a.user_id, a.scope.project_id, &name, &req.calendar, state.clock.now())
        .await?)
}

/// Renames a calendar or changes its working time.
pub async fn update_calendar(
    state: &App,
    a: &InProject,
    calendar: Id,
    version: i64,
    req: &NamedCalendar,
) -> Result<tandem_core::project::ProjectCalendar, AppError> {
    let name = checked_calendar(req)?;
    Ok(state
        .store
        .update_project_calendar(a.user_id, calendar, version, &name, &req.calendar, state.clock.now())
        .await?)
}
