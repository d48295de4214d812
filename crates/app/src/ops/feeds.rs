//! Each person's calendar feed: a secret address any calendar app can
//! subscribe to, holding the milestones of the projects they may read,
//! the target dates of the releases of the products they may read, and
//! the due dates of their own open tasks, all on the computed schedule.

use std::collections::BTreeSet;

use serde::Serialize;
use tandem_core::ical::{self, Event};
use tandem_core::model::Day;
use tandem_core::{Id, ProductAction, ProjectAction};
use tandem_store::product::ProductObject;
use utoipa::ToSchema;

use crate::access::{product_access, project_access};
use crate::error::AppError;
use crate::{App, links, schedules, secrets};

/// `GET /me/calendar-feed`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeed {
    /// The feed's secret address; whoever has it reads the calendar.
    pub url: String,
}

/// The prefix of a feed's token.
const TOKEN_PREFIX: &str = "cal_";

/// The address of the feed with `token` on the server at `base`.
fn address(base: &str, token: &str) -> String {
    format!("{}/calendar/{token}.ics", base.trim_end_matches('/'))
}

/// The server's address for links: the configured public one, else
/// `request_base` (from the request's host).
pub fn base(state: &App, request_base: &str) -> String {
    state.settings.public_url.clone().unwrap_or_else(|| request_base.to_owned())
}

/// `user`'s feed address, made on first asking.
pub async fn feed(state: &App, user: Id, base: &str) -> Result<CalendarFeed, AppError> {
    let token = match state.store.calendar_feed_token(user).await? {
        Some(t) => t,
        None => {
            let t = secrets::generate(TOKEN_PREFIX)?;
            state.store.set_calendar_feed_token(user, &t, state.clock.now()).await?;
            t
        }
    };
    Ok(CalendarFeed { url: address(base, &token) })
}

/// A new address for `user`'s feed; the old one is not found from now on.
pub async fn rotate(state: &App, user: Id, base: &str) -> Result<CalendarFeed, AppError> {
    let t = secrets::generate(TOKEN_PREFIX)?;
    state.store.set_calendar_feed_token(user, &t, state.clock.now()).await?;
    Ok(CalendarFeed { url: address(base, &t) })
}

/// The calendar behind `token` as iCalendar text; not found for a token
/// that is not (or no longer) a feed's.
pub async fn calendar(state: &App, token: &str, base: &str) -> Result<String, AppError> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
        return Err(AppError::NotFound);
    }
    let user = state.store.calendar_feed_owner(token).await?.ok_or(AppError::NotFound)?;
    let me = state.store.user(user).await?;
    let base = base.trim_end_matches('/');
    let mut events = Vec::new();
    let mut seen = BTreeSet::new();
    for m in state.store.memberships(user).await? {
        let ws = m.workspace.id;
        let mine: Vec<Id> =
            state.store.resources(ws).await?.into_iter().filter(|r| r.user_id == Some(user)).map(|r| r.id).collect();
        for project in state.store.projects(ws, None, tandem_store::MAX_PAGE).await?.items {
            if project_access(state, user, project.id, ProjectAction::Read).await.is_err() {
                continue;
            }
            let c = schedules::computed(state, project.id).await?;
            for (t, row) in c.plan.tasks.iter().zip(&c.view.tasks) {
                if row.summary || !seen.insert(t.id) {
                    continue;
                }
                let assigned = t.assignments.iter().any(|a| mine.contains(&a.resource_id));
                let (summary, category) = if row.milestone {
                    (format!("◆ {} {} ({})", row.key, row.name, project.name), "Milestone")
                } else if assigned && !row.done {
                    (format!("Due: {} {} ({})", row.key, row.name, project.name), "Task")
                } else {
                    continue;
                };
                events.push(Event {
                    uid: format!("task-{}@tandem", t.id),
                    day: Day(row.finish.0.date()),
                    summary,
                    description: format!("Planned finish {} on {}'s schedule.", row.finish.0.date(), project.name),
                    url: Some(format!("{base}{}", links::page_of("task", t.id, project.id))),
                    category,
                });
            }
        }
        for product in state.store.products(ws, None, tandem_store::MAX_PAGE).await?.items {
            if product_access(state, user, ProductObject::Product, product.id, ProductAction::Read).await.is_err() {
                continue;
            }
            for r in state.store.releases(product.id).await? {
                let Some(day) = r.target_date else { continue };
                events.push(Event {
                    uid: format!("release-{}@tandem", r.id),
                    day,
                    summary: format!("Release {} ({})", r.name, product.name),
                    description: format!("Target date of {} {}.", product.name, r.name),
                    url: Some(format!("{base}{}", links::page_of("release", r.id, product.id))),
                    category: "Release",
                });
            }
        }
    }
    events.sort_by(|a, b| (a.day, &a.uid).cmp(&(b.day, &b.uid)));
    Ok(ical::calendar(&format!("Tandem: {}", me.name), state.clock.now(), &events))
}
