//! My work: one person's tasks by when they are due, the decisions
//! waiting for them, their unread notifications and this week's hours.
//! A contributor's first page.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use tandem_app::ops::mywork::{self, MyTask, MyWork};
use tandem_core::Id;

use super::project::timesheet::hours;
use super::{PageAllowed, PageResult, Shell, on, render};
use crate::access::WorkspaceRead;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWorkPage {
    shell: Shell,
    ws: Id,
    w: MyWork,
    /// Weekday and date of each day of the week, and its hours.
    days: Vec<(String, String)>,
    total: String,
}

impl MyWorkPage {
    /// The task lists with their headings, ids and what an empty one says.
    fn groups(&self) -> [(&'static str, &'static str, &Vec<MyTask>, &'static str); 4] {
        [
            ("overdue", "Overdue", &self.w.overdue, "Nothing overdue."),
            ("due", "Due this week", &self.w.due_this_week, "Nothing due this week."),
            ("in-progress", "In progress", &self.w.in_progress, "Nothing in progress."),
            ("next", "Next", &self.w.next, "Nothing waiting to start."),
        ]
    }

    fn task_count(&self) -> usize {
        self.w.overdue.len() + self.w.due_this_week.len() + self.w.in_progress.len() + self.w.next.len()
    }
}

pub async fn my_work(State(state): State<AppState>, PageAllowed(a): PageAllowed<WorkspaceRead>) -> PageResult {
    let path = format!("/w/{}/my-work", a.ws);
    let w = mywork::my_work(&state, a.ws, a.role, a.principal.id()).await.map_err(on(&path))?;
    let shell = Shell::new(&state, &a.principal, Some(a.ws), "mywork", "My work").await.map_err(on(&path))?;
    let days = w
        .timesheet
        .days
        .iter()
        .zip(&w.timesheet.totals)
        .map(|(d, m)| (format!("{} {}", d.0.strftime("%a"), shell.human.short(d)), hours(*m)))
        .collect();
    let total = hours(w.timesheet.total_minutes);
    Ok(render(StatusCode::OK, &MyWorkPage { shell, ws: a.ws, w, days, total }))
}
