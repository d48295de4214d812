//! The project pages' hot paths at 1,000 tasks: the schedule view, the
//! Gantt chart as SVG, weekly utilisation and the task sheet's rows. `cargo bench -p
//! tandem-server --bench project`.

use tandem_app::plan::Plan;
use tandem_core::project::{
    Dependency, DependencyType, LagKind, LocalTime, Methodology, Project, ProjectStatus, Task, TaskAssignment,
    TaskKind, WorkCalendar,
};
use tandem_core::tracking::{Resource, ResourceKind};
use tandem_core::{Id, Millis};
use tandem_server::svg::gantt::{Marks, Zoom};

fn main() {
    divan::main();
}

fn at(s: &str) -> LocalTime {
    s.parse().unwrap_or_else(|_| LocalTime(jiff::civil::date(2027, 1, 4).at(8, 0, 0, 0)))
}

/// Ten phases of 99 tasks under a summary each, chained in fives, one
/// of five people on each task.
fn plan(n: usize) -> (Plan, Vec<Resource>) {
    let project = Project {
        id: Id(1),
        workspace_id: Id(1),
        key: "BEN".into(),
        name: "Bench".into(),
        product_id: None,
        manager_id: Id(1),
        sponsor_id: None,
        methodology: Methodology::Hybrid,
        status: ProjectStatus::Active,
        start: at("2027-01-04T08:00:00"),
        status_date: None,
        target_finish: None,
        budget_minor: 0,
        currency: "EUR".into(),
        version: 1,
        created_at: Millis(0),
        updated_at: Millis(0),
    };
    let people: Vec<Resource> = (0..5)
        .map(|i| Resource {
            id: Id(i + 1),
            workspace_id: Id(1),
            name: format!("Person {i}"),
            user_id: None,
            kind: ResourceKind::Work,
            max_units: 100,
            rate_minor: 8000,
            calendar: None,
            version: 1,
            created_at: Millis(0),
            updated_at: Millis(0),
        })
        .collect();
    let mut tasks = Vec::with_capacity(n);
    let mut deps = Vec::new();
    let mut phase = Id(0);
    for i in 0..n {
        let id = Id(i as i64 + 1);
        let is_phase = i % 100 == 0;
        if is_phase {
            phase = id;
        }
        let mut t = Task::blank(Id(1), id, &format!("Task {i}"), 480 * (1 + (i % 7) as i64));
        t.key = format!("BEN-{}", i + 1);
        t.parent_id = (!is_phase).then_some(phase);
        t.position = (i % 100) as i64 + 1;
        t.outline_level = if is_phase { 1 } else { 2 };
        t.wbs = format!("{}.{}", i / 100 + 1, i % 100);
        if is_phase {
            t.kind = TaskKind::Summary;
        } else {
            t.assignments = vec![TaskAssignment { resource_id: Id((i % 5) as i64 + 1), units: 100 }];
        }
        tasks.push(t);
        if !is_phase && i % 100 > 5 {
            deps.push(Dependency {
                id: Id(deps.len() as i64 + 1),
                project_id: Id(1),
                predecessor_id: Id(i as i64 - 4),
                successor_id: id,
                kind: DependencyType::Fs,
                lag_minutes: 0,
                lag_kind: LagKind::Working,
                lag_percent: None,
                version: 1,
                created_at: Millis(0),
                updated_at: Millis(0),
            });
        }
    }
    (
        Plan {
            project,
            calendar: WorkCalendar::standard(),
            calendars: Vec::new(),
            resources: people.clone(),
            tasks,
            deps,
        },
        people,
    )
}

#[divan::bench]
fn schedule_view_1000(b: divan::Bencher) {
    let (p, _) = plan(1000);
    b.bench(|| tandem_app::plan::view(&p.tasks, &p.schedule().ok()?).ok());
}

#[divan::bench]
fn gantt_svg_1000(b: divan::Bencher) {
    let (p, _) = plan(1000);
    let view = p.schedule().and_then(|s| tandem_app::plan::view(&p.tasks, &s));
    let Ok(view) = view else { return };
    let marks = Marks { today: jiff::civil::date(2027, 2, 1), status_date: None, baseline: None, zoom: Zoom::Week };
    b.bench(|| tandem_server::svg::gantt::svg(&p.tasks, &view, &p.deps, &marks).len());
}

#[divan::bench]
fn utilisation_1000(b: divan::Bencher) {
    let (p, people) = plan(1000);
    let Ok(s) = p.schedule() else { return };
    let cal = tandem_sched::Calendar::standard();
    b.bench(|| {
        tandem_app::measure::utilisation(&p.tasks, &s, &people, &cal, &Default::default(), s.project_start, 52)
            .ok()
            .map(|u| u.weeks.len())
    });
}

/// The task sheet's rows (every column as text, predecessors and
/// resources cells, links) and their JSON, as `sheet.json` sends them.
#[divan::bench]
fn sheet_rows_1000(b: divan::Bencher) {
    let (p, _) = plan(1000);
    let view = p.schedule().and_then(|s| tandem_app::plan::view(&p.tasks, &s));
    let Ok(view) = view else { return };
    b.bench(|| {
        let (rows, links) = tandem_app::ops::project::sheet::rows(&p, &view, None);
        serde_json::to_vec(&(rows, links)).map(|v| v.len()).ok()
    });
}
