//! The demo project: "Checkout 2027.1", the delivery of the demo product's
//! first release. About sixty tasks in five phases with dependencies,
//! resources with rates, a budget, a baseline, progress up to last
//! Friday's status date with the time logged for it, two sprints, risks,
//! defects, a published status report and a Monte Carlo run.

use std::collections::HashMap;
use std::sync::Arc;

use tandem_core::change::Edit;
use tandem_core::model::Day;
use tandem_core::project::{Estimate, LocalTime, Methodology, TaskAssignment};
use tandem_core::risk::{RiskResponse, RiskStatus, Severity};
use tandem_core::{Id, Role};
use tandem_store::project::ProjectScope;

use crate::App;
use crate::access::InProject;
use crate::clock::ShiftedClock;
use crate::error::AppError;
use crate::ops::delivery::{self, CreateResource, SetBaseline};
use crate::ops::project::{self as ops, CreateDependency, CreateProject, CreateTask, UpdateTask};
use crate::ops::{agile, outlook, risks};

pub const DEMO_PROJECT_KEY: &str = "CKT";

/// (name, rate per hour in cents, linked demo user's e-mail)
const PEOPLE: [(&str, i64, Option<&str>); 5] = [
    ("Carlos Contributor", 8500, Some("dev@demo.example")),
    ("Sam Backend", 9000, None),
    ("Lee Frontend", 8000, None),
    ("Kim QA", 6500, None),
    ("Ray Design", 7500, None),
];

/// One task of the plan: outline level 1 rows are phases (summaries).
struct T {
    name: &'static str,
    /// 0 for a phase; otherwise working days (0.0 for a milestone with `milestone`).
    days: f64,
    phase: bool,
    milestone: bool,
    /// Index into PEOPLE.
    who: Option<usize>,
    points: Option<f64>,
    /// Title of the feature it delivers.
    feature: Option<&'static str>,
    /// Names of predecessors (finish-to-start).
    after: &'static [&'static str],
}

const fn phase(name: &'static str) -> T {
    T { name, days: 0.0, phase: true, milestone: false, who: None, points: None, feature: None, after: &[] }
}
const fn task(name: &'static str, days: f64, who: usize, after: &'static [&'static str]) -> T {
    T { name, days, phase: false, milestone: false, who: Some(who), points: None, feature: None, after }
}
const fn story(
    name: &'static str,
    days: f64,
    who: usize,
    points: f64,
    feature: &'static str,
    after: &'static [&'static str],
) -> T {
    T {
        name,
        days,
        phase: false,
        milestone: false,
        who: Some(who),
        points: Some(points),
        feature: Some(feature),
        after,
    }
}
const fn milestone(name: &'static str, after: &'static [&'static str]) -> T {
    T { name, days: 0.0, phase: false, milestone: true, who: None, points: None, feature: None, after }
}

const ONE_PAGE: &str = "One-page checkout";
const SAVED: &str = "Saved carts across devices";
const WALLETS: &str = "Apple Pay and Google Pay";
const ADDRESS: &str = "Address autocomplete";
const GUEST: &str = "Guest checkout without account";
const FRAUD: &str = "Fraud screening on card payments";
const A11Y: &str = "Checkout accessibility audit fixes";

const PLAN: &[T] = &[
    phase("Discovery and design"),
    milestone("Kick-off", &[]),
    task("Checkout funnel analysis", 3.0, 4, &["Kick-off"]),
    task("Merchant interviews", 4.0, 4, &["Kick-off"]),
    task("Shopper usability study", 5.0, 4, &["Checkout funnel analysis"]),
    story("One-page checkout wireframes", 4.0, 4, 5.0, ONE_PAGE, &["Shopper usability study"]),
    task("Wallet button guidelines", 2.0, 4, &["Merchant interviews"]),
    task("Accessibility review of designs", 2.0, 3, &["One-page checkout wireframes"]),
    task("Technical architecture", 4.0, 1, &["Kick-off"]),
    milestone("Design sign-off", &["Accessibility review of designs", "Technical architecture"]),
    phase("Payments platform"),
    task("Payment service skeleton", 3.0, 1, &["Technical architecture"]),
    story("Card tokenisation vault", 8.0, 1, 8.0, WALLETS, &["Payment service skeleton"]),
    story("Apple Pay merchant validation", 5.0, 1, 5.0, WALLETS, &["Card tokenisation vault"]),
    story("Google Pay integration", 4.0, 1, 5.0, WALLETS, &["Apple Pay merchant validation"]),
    task("Idempotency and retries", 3.0, 0, &["Payment service skeleton"]),
    task("Payment webhooks", 4.0, 0, &["Idempotency and retries"]),
    story("Fraud rules engine", 10.0, 1, 8.0, FRAUD, &["Card tokenisation vault"]),
    story("Fraud review queue", 4.0, 0, 3.0, FRAUD, &["Fraud rules engine"]),
    task("Refunds API", 3.0, 0, &["Payment webhooks"]),
    task("PCI scope review", 2.0, 1, &["Card tokenisation vault"]),
    phase("Cart and account services"),
    story("Saved cart storage", 5.0, 0, 5.0, SAVED, &["Technical architecture"]),
    story("Cart sync across devices", 4.0, 0, 5.0, SAVED, &["Saved cart storage"]),
    story("Address lookup service", 3.0, 0, 3.0, ADDRESS, &["Technical architecture"]),
    story("Guest session tokens", 3.0, 0, 3.0, GUEST, &["Technical architecture"]),
    task("Order confirmation e-mails", 2.0, 0, &["Payment webhooks"]),
    task("Checkout API gateway", 3.0, 1, &["Payment service skeleton", "Saved cart storage"]),
    phase("Web checkout"),
    story("Checkout page shell", 3.0, 2, 3.0, ONE_PAGE, &["Design sign-off"]),
    story("One-page checkout form", 8.0, 2, 8.0, ONE_PAGE, &["Checkout page shell", "Checkout API gateway"]),
    story("Wallet buttons", 3.0, 2, 3.0, WALLETS, &["One-page checkout form", "Google Pay integration"]),
    story("Address autocomplete field", 3.0, 2, 3.0, ADDRESS, &["One-page checkout form", "Address lookup service"]),
    story("Saved cart banner", 2.0, 2, 2.0, SAVED, &["Cart sync across devices", "Checkout page shell"]),
    story("Guest checkout flow", 3.0, 2, 3.0, GUEST, &["One-page checkout form", "Guest session tokens"]),
    story("Keyboard and screen-reader fixes", 4.0, 2, 5.0, A11Y, &["One-page checkout form"]),
    story("Colour contrast and focus order", 2.0, 2, 2.0, A11Y, &["Keyboard and screen-reader fixes"]),
    task("Error and retry states", 3.0, 2, &["One-page checkout form"]),
    task("Mobile layout polish", 3.0, 2, &["Wallet buttons", "Address autocomplete field"]),
    phase("Quality"),
    task("Test plan", 2.0, 3, &["Design sign-off"]),
    task("End-to-end test suite", 8.0, 3, &["Test plan", "Checkout page shell"]),
    task("Payment sandbox tests", 4.0, 3, &["Google Pay integration", "Test plan"]),
    task("Load test at peak traffic", 4.0, 3, &["One-page checkout form", "Payment webhooks"]),
    task("Security review", 3.0, 1, &["Fraud review queue", "Refunds API"]),
    task("Accessibility audit", 2.0, 3, &["Colour contrast and focus order"]),
    task(
        "Merchant acceptance testing",
        5.0,
        3,
        &["End-to-end test suite", "Mobile layout polish", "Guest checkout flow"],
    ),
    task("Bug-fix buffer", 5.0, 2, &["Merchant acceptance testing"]),
    phase("Launch"),
    task("Monitoring dashboards", 3.0, 0, &["Payment webhooks"]),
    task("Support runbook", 2.0, 3, &["Merchant acceptance testing"]),
    task("Support team training", 1.0, 3, &["Support runbook"]),
    milestone("Beta to 5 % of shoppers", &["Bug-fix buffer", "Security review", "Monitoring dashboards"]),
    task("Beta monitoring", 5.0, 0, &["Beta to 5 % of shoppers"]),
    task("Rollout to 50 %", 2.0, 0, &["Beta monitoring"]),
    task("Rollout to everyone", 2.0, 0, &["Rollout to 50 %", "Support team training", "Accessibility audit"]),
    milestone("Release 2027.1 live", &["Rollout to everyone", "Order confirmation e-mails"]),
];

pub(super) fn days_from(d: Day, n: i64) -> Day {
    Day(d.0.checked_add(jiff::Span::new().days(n)).unwrap_or(d.0))
}

/// The same state with its clock on `at`: progress and time logged in the
/// past carry the dates they happened on.
pub(super) fn state_at(state: &App, day: Day, hour: i8) -> App {
    let clock = Arc::new(ShiftedClock::default());
    let ts = day.0.at(hour, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp().as_millisecond());
    clock.set(tandem_core::Millis(ts.unwrap_or(0)));
    App { clock, ..state.clone() }
}

pub async fn demo_project(state: &App, ws: Id, users: &HashMap<Role, Id>) -> Result<(), AppError> {
    let pm = users.get(&Role::ProjectManager).copied().ok_or_else(|| AppError::Internal("no demo PM".into()))?;
    let admin = users.get(&Role::Admin).copied();
    let today = Day::of(state.clock.now());
    let back = i64::from(today.0.weekday().to_monday_zero_offset());
    let monday = days_from(today, -back);
    let start = days_from(monday, -28);
    let status = days_from(monday, -3); // last Friday
    let products = state.store.products(ws, None, 10).await?.items;
    let product = products.iter().find(|p| p.key == super::DEMO_PRODUCT_KEY);
    let features: HashMap<String, Id> = match product {
        Some(p) => state.store.features(p.id).await?.into_iter().map(|f| (f.title, f.id)).collect(),
        None => HashMap::new(),
    };
    let release_target = match product {
        Some(p) => state.store.releases(p.id).await?.into_iter().filter_map(|r| r.target_date).min(),
        None => None,
    };
    let project = ops::create_project(
        state,
        pm,
        ws,
        CreateProject {
            name: "Checkout 2027.1".into(),
            key: DEMO_PROJECT_KEY.into(),
            product_id: product.map(|p| p.id),
            manager_id: Some(pm),
            sponsor_id: admin,
            methodology: Some(Methodology::Hybrid),
            status: None,
            start: LocalTime(start.0.at(8, 0, 0, 0)),
            status_date: None,
            target_finish: release_target.map(|d| LocalTime(d.0.at(17, 0, 0, 0))),
            budget_minor: Some(30_000_000),
            currency: Some("EUR".into()),
        },
    )
    .await?;
    let a = InProject {
        user_id: pm,
        role: Role::ProjectManager,
        scope: ProjectScope { workspace_id: ws, project_id: project.id, manager_id: pm },
    };
    // Resources.
    let mut people = Vec::new();
    for (name, rate, email) in PEOPLE {
        let user = match email {
            Some(e) => state.store.user_by_email(e).await?.map(|u| u.id),
            None => None,
        };
        let r = delivery::create_resource(
            state,
            pm,
            ws,
            CreateResource {
                name: name.into(),
                user_id: user,
                kind: None,
                max_units: None,
                rate_minor: Some(rate),
                // The designer works four days a week.
                calendar: (name == "Ray Design").then(|| {
                    let mut c = tandem_core::project::WorkCalendar::standard();
                    c.week.friday = Vec::new();
                    c
                }),
            },
        )
        .await?;
        people.push(r);
    }
    // Tasks and links.
    let mut ids: HashMap<&str, Id> = HashMap::new();
    let mut order: Vec<(Id, &T)> = Vec::new();
    let mut parent: Option<Id> = None;
    for t in PLAN {
        let minutes = (t.days * 480.0).round() as i64;
        let estimate = (t.days >= 3.0).then(|| Estimate {
            optimistic_minutes: (minutes as f64 * 0.8).round() as i64,
            likely_minutes: minutes,
            pessimistic_minutes: (minutes as f64 * 1.7).round() as i64,
        });
        let created = ops::create_task(
            state,
            &a,
            CreateTask {
                custom_fields: if t.phase || t.milestone {
                    None
                } else {
                    super::values(&[("component", ["Web", "API", "Payments", "Infra"][order.len() % 4])])
                },
                name: t.name.into(),
                parent_id: if t.phase { None } else { parent },
                kind: t.milestone.then_some(tandem_core::project::TaskKind::Milestone),
                duration_minutes: (!t.phase).then_some(minutes),
                percent_complete: None,
                constraint: None,
                deadline: None,
                story_points: t.points,
                status: None,
                feature_id: t.feature.and_then(|f| features.get(f).copied()),
                fixed_cost_minor: None,
                notes: None,
                actual_start: None,
                actual_finish: None,
                remaining_minutes: None,
                estimate,
                sprint_id: None,
                priority: None,
                assignments: t
                    .who
                    .and_then(|w| people.get(w))
                    .map(|r| vec![TaskAssignment { resource_id: r.id, units: 100 }]),
                calendar_id: None,
                manual_start: None,
                manual_finish: None,
                external_start: None,
                position: None,
            },
        )
        .await?;
        if t.phase {
            parent = Some(created.id);
        }
        ids.insert(t.name, created.id);
        order.push((created.id, t));
    }
    for t in PLAN {
        for p in t.after {
            if let (Some(&pred), Some(&succ)) = (ids.get(p), ids.get(t.name)) {
                ops::create_dependency(
                    state,
                    &a,
                    CreateDependency {
                        predecessor_id: pred,
                        successor_id: succ,
                        kind: None,
                        lag_minutes: None,
                        lag_kind: None,
                        lag_percent: None,
                    },
                )
                .await?;
            }
        }
    }
    // The budget's fixed costs: the fraud vendor's licence and the load-test
    // rig, with the notes a project manager keeps on them.
    for (name, cost, notes) in [
        (
            "Fraud rules engine",
            1_200_000,
            "Vendor licence **€12,000** a year, signed off by finance.\n\n- rules reviewed with the risk team\n- \
             false-positive target: under 0.5 %",
        ),
        ("Load test at peak traffic", 350_000, "Rig rented for **two weeks**; book the slot a month ahead."),
    ] {
        if let Some(&id) = ids.get(name) {
            let t = state.store.task(id).await?;
            let req =
                UpdateTask { fixed_cost_minor: Some(cost), notes: Some(notes.to_owned()), ..UpdateTask::default() };
            ops::update_task(state, &a, id, t.version, req).await?;
        }
    }
    delivery::set_baseline(state, &a, SetBaseline { number: Some(0), name: Some("Approved plan".into()) }).await?;

    // Sprints: the last two fortnights' web and service work, planned
    // here, filled with stories, then started and closed on their dates.
    let s1 = agile::create_sprint(
        state,
        &a,
        agile::CreateSprint {
            name: "Sprint 1".into(),
            start: days_from(start, 14),
            finish: days_from(start, 25),
            goal: Some("Payments and cart services".into()),
            capacity_points: Some(30.0),
            status: None,
        },
    )
    .await?;
    let s2 = agile::create_sprint(
        state,
        &a,
        agile::CreateSprint {
            name: "Sprint 2".into(),
            start: days_from(start, 28),
            finish: days_from(start, 39),
            goal: Some("Checkout form and wallets".into()),
            capacity_points: Some(30.0),
            status: None,
        },
    )
    .await?;

    super::progress::progress(state, &a, (&people, pm), (start, status), (&s1, &s2)).await?;
    super::rituals::rituals(state, &a, users, (&s1, &s2)).await?;
    let cur = state.store.project(project.id).await?;
    let req = ops::UpdateProject { status_date: Some(Some(LocalTime(status.0.at(17, 0, 0, 0)))), ..Default::default() };
    ops::update_project(state, &a, cur.version, req).await?;

    // Risks, defects, a status report and a Monte Carlo run.
    let dev = users.get(&Role::Contributor).copied().unwrap_or(pm);
    for (title, p, i, cost, response, mitigation) in [
        (
            "Payment provider delays Apple Pay certification",
            3,
            5,
            2_500_000,
            RiskResponse::Mitigate,
            "Start merchant validation early; keep card-only launch possible.",
        ),
        (
            "Fraud rules block good customers",
            3,
            4,
            1_500_000,
            RiskResponse::Mitigate,
            "Shadow mode for two weeks before enforcing.",
        ),
        (
            "Peak-season traffic exceeds load tests",
            2,
            5,
            3_000_000,
            RiskResponse::Mitigate,
            "Load test at 3× last peak; autoscaling limits raised.",
        ),
        ("Key backend engineer unavailable", 2, 4, 800_000, RiskResponse::Accept, "Pair on vault and fraud work."),
        (
            "Accessibility audit finds blocking issues",
            3,
            3,
            400_000,
            RiskResponse::Avoid,
            "Audit designs before building.",
        ),
        (
            "PCI scope grows with tokenisation",
            1,
            4,
            600_000,
            RiskResponse::Transfer,
            "Vault provider carries PCI scope.",
        ),
    ] {
        risks::create_risk(
            state,
            &a,
            risks::CreateRisk {
                custom_fields: super::values(&[("area", "Payments")]),
                title: title.into(),
                description: None,
                probability: p,
                impact: i,
                cost_impact_minor: Some(cost),
                owner_id: Some(pm),
                response: Some(response),
                mitigation: Some(mitigation.into()),
                trigger: None,
                status: Some(RiskStatus::Open),
                task_ids: None,
            },
        )
        .await?;
    }
    let reporter = InProject { user_id: dev, role: Role::Contributor, ..a };
    for (title, sev) in [
        ("Apple Pay sheet does not open on iOS 16 Safari", Severity::Major),
        ("Card number field accepts letters", Severity::Minor),
        ("Tokenisation timeout leaves order pending", Severity::Critical),
        ("Focus jumps to top after address lookup", Severity::Minor),
        ("Typo in saved-cart banner", Severity::Trivial),
    ] {
        let d = risks::create_defect(
            state,
            &reporter,
            risks::CreateDefect {
                custom_fields: if title.contains("Safari") { super::values(&[("browser", "Safari 16")]) } else { None },
                title: title.into(),
                description: None,
                severity: Some(sev),
                feature_id: None,
                task_id: None,
                found_in_release_id: None,
                found_after_release: false,
            },
        )
        .await?;
        if sev == Severity::Critical || sev == Severity::Trivial {
            let req =
                risks::UpdateDefect { status: Some(tandem_core::risk::DefectStatus::Resolved), ..Default::default() };
            risks::update_defect(state, &a, &d, d.version, req).await?;
        }
    }
    let r = outlook::draft_report(state, &a, outlook::DraftReport { period: None }).await?;
    let req = outlook::UpdateReport {
        summary: Some(format!(
            "{}\n\nThe tokenisation vault took three days longer than planned; wallets and fraud work follow it.",
            r.summary
        )),
        ..Default::default()
    };
    let r = outlook::update_report(state, &a, r.id, r.version, req, false).await?;
    outlook::update_report(state, &a, r.id, r.version, outlook::UpdateReport::default(), true).await?;
    // A change request awaiting the owners' decision.
    if let (Some(pdm), Some(loyalty), Some(live), Some(rollout)) = (
        users.get(&Role::ProductManager).copied(),
        features.get("Loyalty points at checkout").copied(),
        ids.get("Release 2027.1 live").copied(),
        ids.get("Rollout to everyone").copied(),
    ) {
        let releases = match product {
            Some(p) => state.store.releases(p.id).await?,
            None => Vec::new(),
        };
        if let Some(r1) = releases.iter().min_by_key(|r| r.target_date) {
            let by = InProject { user_id: pdm, role: Role::ProductManager, ..a };
            let cr = crate::ops::changes::create(
                state,
                &by,
                crate::ops::changes::CreateChangeRequest {
                    title: "Bring loyalty points into 2027.1".into(),
                    description: Some("Two retailers will sign only with points at checkout.".into()),
                    edits: vec![
                        Edit::AddTask {
                            reference: Some("points".into()),
                            name: "Loyalty points at checkout".into(),
                            duration_minutes: 6 * 480,
                            parent_id: None,
                            feature_id: Some(loyalty),
                            story_points: Some(8.0),
                        },
                        Edit::AddDependency {
                            predecessor: rollout.to_string(),
                            successor: "points".into(),
                            kind: None,
                            lag_minutes: None,
                        },
                        Edit::AddDependency {
                            predecessor: "points".into(),
                            successor: live.to_string(),
                            kind: None,
                            lag_minutes: None,
                        },
                        Edit::AddFeatureToRelease { feature_id: loyalty, release_id: r1.id },
                    ],
                },
            )
            .await?;
            crate::ops::changes::submit(state, &by, cr.id, cr.version).await?;
        }
    }
    outlook::run_monte_carlo(
        state,
        &a,
        outlook::RunRequest { iterations: Some(1000), seed: Some(42), distribution: None, target: None },
    )
    .await?;
    Ok(())
}
