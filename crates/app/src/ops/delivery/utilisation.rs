//! Weekly utilisation of resources and levelling.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tandem_core::Id;
use tandem_core::model::Day;
use tandem_core::project::LocalTime;
use tandem_core::tracking::{Resource, ResourceKind};
use utoipa::{IntoParams, ToSchema};

use crate::App;
use crate::access::InProject;
use crate::error::AppError;
use crate::measure::{self, UtilisationView};
use crate::plan;
use crate::schedules::{Computed, computed};

// ---- utilisation and levelling ----

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UtilisationQuery {
    /// Any day of the first week (default: the project's start).
    #[param(value_type = Option<String>)]
    pub from: Option<Day>,
    /// How many weeks (default: to the project's finish, at most 156).
    pub weeks: Option<i64>,
}

pub async fn utilisation(state: &App, project: Id, q: &UtilisationQuery) -> Result<UtilisationView, AppError> {
    utilisation_of(&*computed(state, project).await?, q)
}

/// Utilisation of a plan already loaded and costed.
pub fn utilisation_of(c: &Computed, q: &UtilisationQuery) -> Result<UtilisationView, AppError> {
    let cal = plan::calendar(&c.plan.calendar)?;
    let from = match q.from {
        Some(d) => measure::day_start(d),
        None => c.schedule.project_start,
    };
    let weeks = match q.weeks {
        Some(w) if (1..=measure::MAX_WEEKS).contains(&w) => w,
        Some(_) => return Err(AppError::BadOption(format!("weeks must be from 1 to {}", measure::MAX_WEEKS))),
        None => (c.schedule.project_finish - from).max(0) / (7 * tandem_sched::DAY) + 1,
    };
    let mut own = HashMap::new();
    for r in c.resources() {
        if let Some(rc) = &r.calendar {
            own.insert(r.id, plan::calendar(rc)?);
        }
    }
    measure::utilisation(&c.plan.tasks, &c.schedule, c.resources(), &cal, &own, from, weeks)
}

/// A task levelling moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovedTask {
    pub task_id: Id,
    pub key: String,
    pub name: String,
    /// Working minutes of delay before its start.
    pub delay_minutes: i64,
    pub start_before: LocalTime,
    pub start_after: LocalTime,
}

/// A task named in a result.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskRef {
    pub task_id: Id,
    pub key: String,
    pub name: String,
}

/// `POST /projects/{id}/level`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Levelled {
    pub moved: Vec<MovedTask>,
    /// Tasks that need more of a resource than it has at all: left where
    /// their links put them (as MS Project's "Skip All").
    pub unresolved: Vec<TaskRef>,
    pub finish_before: LocalTime,
    pub finish_after: LocalTime,
}

fn local(m: tandem_sched::Minute) -> Result<LocalTime, AppError> {
    tandem_sched::time::to_datetime(m)
        .map(LocalTime)
        .ok_or_else(|| AppError::Internal(format!("minute {m} out of range")))
}

/// Levels the plan's work resources (serial: within slack first, by
/// priority then order) from a clean slate, stores each task's delay and
/// reports what moved. `clear` only removes earlier delays.
pub async fn level(state: &App, a: &InProject, clear: bool) -> Result<Levelled, AppError> {
    let c = computed(state, a.scope.project_id).await?;
    let mut clean = c.plan.clone();
    for t in &mut clean.tasks {
        t.leveling_delay_minutes = 0;
    }
    let net = clean.network()?;
    let before = tandem_sched::schedule(&net).map_err(|e| plan::explain(e, &clean.tasks))?;
    let mut delays = vec![0i64; clean.tasks.len()];
    let mut unresolved = Vec::new();
    if !clear {
        let work: Vec<&Resource> = c.resources().iter().filter(|r| r.kind == ResourceKind::Work).collect();
        let rix: HashMap<Id, u32> = work.iter().enumerate().map(|(i, r)| (r.id, i as u32)).collect();
        let res: Vec<tandem_sched::level::Resource> =
            work.iter().map(|r| tandem_sched::level::Resource { max_units: r.max_units as f64 / 100.0 }).collect();
        let mut asg = Vec::new();
        for (i, t) in clean.tasks.iter().enumerate() {
            for x in &t.assignments {
                if let Some(&r) = rix.get(&x.resource_id) {
                    asg.push(tandem_sched::level::Assignment {
                        task: i as u32,
                        resource: r,
                        units: x.units as f64 / 100.0,
                    });
                }
            }
        }
        let prio: Vec<i64> = clean.tasks.iter().map(|t| t.priority).collect();
        let out = tandem_sched::level::level(&net, &res, &asg, &prio)
            .map_err(|e| AppError::invalid("plan", e.to_string()))?;
        for &t in &out.unresolved {
            if let Some(t) = clean.tasks.get(t as usize) {
                unresolved.push(TaskRef { task_id: t.id, key: t.key.clone(), name: t.name.clone() });
            }
        }
        delays = out.delays;
    }
    let changes: Vec<(Id, i64)> = clean
        .tasks
        .iter()
        .zip(&c.plan.tasks)
        .zip(&delays)
        .filter(|((_, old), d)| old.leveling_delay_minutes != **d)
        .map(|((t, _), d)| (t.id, *d))
        .collect();
    state.store.set_leveling_delays(a.user_id, a.scope.project_id, &changes, state.clock.now()).await?;
    for (t, d) in clean.tasks.iter_mut().zip(&delays) {
        t.leveling_delay_minutes = *d;
    }
    let after = clean.schedule()?;
    let mut moved = Vec::new();
    for (i, t) in clean.tasks.iter().enumerate() {
        if delays[i] > 0 {
            moved.push(MovedTask {
                task_id: t.id,
                key: t.key.clone(),
                name: t.name.clone(),
                delay_minutes: delays[i],
                start_before: local(before.start[i])?,
                start_after: local(after.start[i])?,
            });
        }
    }
    Ok(Levelled {
        moved,
        unresolved,
        finish_before: local(before.project_finish)?,
        finish_after: local(after.project_finish)?,
    })
}
