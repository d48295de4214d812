//! Who may call every project-side endpoint: one table of endpoints, each
//! with the class of right it needs, checked for every role and for a
//! member of another workspace. Authorised calls carry a stale version or
//! an invalid value, so they are refused after the rights check (412 or
//! 422) and change nothing; deletions use an object made for each caller.
//! A project-side route in the OpenAPI document without a row fails.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, OUTSIDER, json_ok, on_each_database, other_workspace};

/// The routes this table covers; `rights` covers the rest.
pub const PROJECT_PREFIXES: [&str; 20] = [
    "/projects/",
    "/follow-ups/",
    "/retro-items/",
    "/tasks/",
    "/dependencies/",
    "/calendars/",
    "/resources/",
    "/time-entries/",
    "/sprints/",
    "/risks/",
    "/defects/",
    "/monte-carlo/",
    "/status-reports/",
    "/workspaces/{ws}/projects",
    "/workspaces/{ws}/resources",
    "/workspaces/{ws}/time-report",
    "/workspaces/{ws}/timesheet",
    "/dashboards/project/",
    "/change-requests/",
    "/workspaces/{ws}/decisions",
];

/// The right an endpoint needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Every member.
    Read,
    /// The project's manager or an admin.
    Edit,
    /// Admins and project managers (create projects, manage resources).
    PmOrAdmin,
    /// Every member but stakeholders.
    Contribute,
    /// Admins only, who then hear 409 (nothing to decide on a draft).
    AdminConflict,
    /// Every member but stakeholders, and the call succeeds (a dot on a
    /// retrospective card, or one taken off).
    ContributeOk,
    /// The project's manager, admins and whoever records acceptance (the
    /// product manager, by the default matrix).
    EditOrAccept,
    /// Whoever records acceptance, and admins.
    Accept,
}

fn allowed(needs: Needs, role: Role) -> bool {
    match needs {
        Needs::Read => true,
        Needs::Edit | Needs::PmOrAdmin => matches!(role, Role::Admin | Role::ProjectManager),
        Needs::Contribute => role != Role::Stakeholder,
        Needs::AdminConflict => role == Role::Admin,
        Needs::ContributeOk => role != Role::Stakeholder,
        Needs::EditOrAccept => matches!(role, Role::Admin | Role::ProjectManager | Role::ProductManager),
        Needs::Accept => matches!(role, Role::Admin | Role::ProductManager),
    }
}

const ROLES: [Role; 5] =
    [Role::Admin, Role::ProductManager, Role::ProjectManager, Role::Contributor, Role::Stakeholder];

async fn call(api: &Api, method: &Method, path: &str, body: Option<&Value>) -> u16 {
    let mut rb = api.request(method.clone(), &format!("/api/v1{path}"));
    if let Some(b) = body {
        rb = if path.ends_with("/import") {
            rb.header("content-type", "application/xml").body(b.as_str().unwrap_or_default().to_owned())
        } else {
            rb.json(b)
        };
    }
    rb.send().await.unwrap().status().as_u16()
}

/// Objects of one small project, made by its manager.
struct Fixture {
    ws: String,
    p: String,
    t: String,
    dep: String,
    c: String,
    r: String,
    e: String,
    s: String,
    k: String,
    f: String,
    m: String,
    sr: String,
    cr: String,
    card: String,
    fu: String,
}

async fn fixture(ws: String, pm: &Api) -> Fixture {
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let p = id(&json_ok(
        pm.post(
            &format!("/api/v1/workspaces/{ws}/projects"),
            json!({"name": "Rights", "key": "RTS", "start": "2027-01-04"}),
        )
        .await,
        201,
    )
    .await);
    let t = id(&json_ok(
        pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "A", "story_points": 3})).await,
        201,
    )
    .await);
    let t2 = id(&json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": "B"})).await, 201).await);
    let dep = id(&json_ok(
        pm.post(&format!("/api/v1/projects/{p}/dependencies"), json!({"predecessor_id": t, "successor_id": t2})).await,
        201,
    )
    .await);
    let week = json!({"monday": ["08:00-16:00"], "tuesday": [], "wednesday": [], "thursday": [], "friday": [], "saturday": [], "sunday": []});
    let c = id(&json_ok(
        pm.post(&format!("/api/v1/projects/{p}/calendars"), json!({"name": "Mondays", "week": week})).await,
        201,
    )
    .await);
    let r = id(&json_ok(
        pm.post(&format!("/api/v1/workspaces/{ws}/resources"), json!({"name": "Rights person", "rate_minor": 1000}))
            .await,
        201,
    )
    .await);
    let e = id(&json_ok(
        pm.post(
            &format!("/api/v1/projects/{p}/time-entries"),
            json!({"task_id": t, "resource_id": r, "date": "2027-01-04", "minutes": 60}),
        )
        .await,
        201,
    )
    .await);
    json_ok(pm.post(&format!("/api/v1/projects/{p}/baselines"), json!({"number": 0})).await, 201).await;
    let s = id(&json_ok(
        pm.post(
            &format!("/api/v1/projects/{p}/sprints"),
            json!({"name": "S", "start": "2027-01-04", "finish": "2027-01-15"}),
        )
        .await,
        201,
    )
    .await);
    let k = id(&json_ok(
        pm.post(&format!("/api/v1/projects/{p}/risks"), json!({"title": "R", "probability": 2, "impact": 2})).await,
        201,
    )
    .await);
    let f = id(&json_ok(pm.post(&format!("/api/v1/projects/{p}/defects"), json!({"title": "D"})).await, 201).await);
    let m =
        id(&json_ok(pm.post(&format!("/api/v1/projects/{p}/monte-carlo"), json!({"iterations": 10})).await, 201).await);
    let sr = id(&json_ok(pm.post(&format!("/api/v1/projects/{p}/status-reports"), json!({})).await, 201).await);
    let cr = id(&json_ok(
        pm.post(
            &format!("/api/v1/projects/{p}/change-requests"),
            json!({"title": "CR", "edits": [{"op": "set_budget", "budget_minor": 100}]}),
        )
        .await,
        201,
    )
    .await);
    let card = id(&json_ok(
        pm.post(&format!("/api/v1/sprints/{s}/retro/items"), json!({"column": "ideas", "text": "Card"})).await,
        201,
    )
    .await);
    let fu =
        id(&json_ok(pm.post(&format!("/api/v1/projects/{p}/follow-ups"), json!({"title": "Chase"})).await, 201).await);
    Fixture { cr, ws, p, t, dep, c, r, e, s, k, f, m, sr, card, fu }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_project_endpoint_for_every_role() {
    on_each_database("every_project_endpoint_for_every_role", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let x = fixture(ws, &pm).await;
        let cr = &x.cr;
        let (ws, p, t, c, r, e, s, k, f, m, sr) = (&x.ws, &x.p, &x.t, &x.c, &x.r, &x.e, &x.s, &x.k, &x.f, &x.m, &x.sr);
        let dep = &x.dep;
        let (card, fu) = (&x.card, &x.fu);
        let stale = json!({"version": 999_999});
        let week = json!({"monday": ["08:00-17:00"], "tuesday": [], "wednesday": [], "thursday": [], "friday": [], "saturday": [], "sunday": []});
        let th = json!({"index_amber": 0.95, "index_red": 0.9, "creep_amber": 0.1, "creep_red": 0.2, "risk_amber": 15, "risk_red": 20, "version": 999_999});
        use Needs::*;
        let g = Method::GET;
        let rows: Vec<(Method, String, &str, Option<Value>, Needs)> = vec![
            (g.clone(), format!("/workspaces/{ws}/projects"), "/workspaces/{ws}/projects", None, Read),
            (Method::POST, format!("/workspaces/{ws}/projects"), "/workspaces/{ws}/projects", Some(json!({"name": "", "key": "ZZ", "start": "2027-01-04"})), PmOrAdmin),
            (g.clone(), format!("/projects/{p}"), "/projects/{id}", None, Read),
            (Method::PATCH, format!("/projects/{p}"), "/projects/{id}", Some(json!({"name": "x", "version": 999_999})), Edit),
            (g.clone(), format!("/projects/{p}/tasks"), "/projects/{id}/tasks", None, Read),
            (Method::POST, format!("/projects/{p}/tasks"), "/projects/{id}/tasks", Some(json!({"name": ""})), Edit),
            (Method::POST, format!("/projects/{p}/tasks/bulk"), "/projects/{id}/tasks/bulk", Some(json!({"ids": [], "action": "sprint"})), Edit),
            (g.clone(), format!("/tasks/{t}"), "/tasks/{id}", None, Read),
            (Method::PATCH, format!("/tasks/{t}"), "/tasks/{id}", Some(json!({"name": "x", "version": 999_999})), Edit),
            (g.clone(), format!("/projects/{p}/dependencies"), "/projects/{id}/dependencies", None, Read),
            (Method::POST, format!("/projects/{p}/dependencies"), "/projects/{id}/dependencies", Some(json!({"predecessor_id": t, "successor_id": t})), Edit),
            (Method::PATCH, format!("/dependencies/{dep}"), "/dependencies/{id}", Some(json!({"type": "SS", "version": 999_999})), Edit),
            (g.clone(), format!("/projects/{p}/schedule"), "/projects/{id}/schedule", None, Read),
            (g.clone(), format!("/projects/{p}/calendar"), "/projects/{id}/calendar", None, Read),
            (Method::PUT, format!("/projects/{p}/calendar"), "/projects/{id}/calendar", Some(json!({"week": week, "version": 999_999})), Edit),
            (g.clone(), format!("/projects/{p}/calendars"), "/projects/{id}/calendars", None, Read),
            (Method::POST, format!("/projects/{p}/calendars"), "/projects/{id}/calendars", Some(json!({"name": "", "week": week})), Edit),
            (g.clone(), format!("/calendars/{c}"), "/calendars/{id}", None, Read),
            (Method::PUT, format!("/calendars/{c}"), "/calendars/{id}", Some(json!({"name": "M", "week": week, "version": 999_999})), Edit),
            (g.clone(), format!("/workspaces/{ws}/resources"), "/workspaces/{ws}/resources", None, Read),
            (Method::POST, format!("/workspaces/{ws}/resources"), "/workspaces/{ws}/resources", Some(json!({"name": ""})), PmOrAdmin),
            (g.clone(), format!("/resources/{r}"), "/resources/{id}", None, Read),
            (Method::PATCH, format!("/resources/{r}"), "/resources/{id}", Some(stale.clone()), PmOrAdmin),
            (g.clone(), format!("/projects/{p}/time-entries"), "/projects/{id}/time-entries", None, Read),
            (Method::POST, format!("/projects/{p}/time-entries"), "/projects/{id}/time-entries", Some(json!({"task_id": t, "date": "2027-01-04", "minutes": 0})), Contribute),
            (Method::PATCH, format!("/time-entries/{e}"), "/time-entries/{id}", Some(json!({"minutes": 30, "version": 999_999})), Edit),
            (g.clone(), format!("/projects/{p}/time-entries.csv"), "/projects/{id}/time-entries.csv", None, Read),
            (g.clone(), format!("/projects/{p}/time-report"), "/projects/{id}/time-report", None, Read),
            (g.clone(), format!("/workspaces/{ws}/time-report"), "/workspaces/{ws}/time-report", None, Read),
            (g.clone(), format!("/workspaces/{ws}/timesheet"), "/workspaces/{ws}/timesheet", None, Read),
            (g.clone(), format!("/workspaces/{ws}/time-report.csv"), "/workspaces/{ws}/time-report.csv", None, Read),
            (g.clone(), format!("/projects/{p}/baselines"), "/projects/{id}/baselines", None, Read),
            (Method::POST, format!("/projects/{p}/baselines"), "/projects/{id}/baselines", Some(json!({"number": 99})), Edit),
            (g.clone(), format!("/projects/{p}/baselines/0"), "/projects/{id}/baselines/{number}", None, Read),
            (g.clone(), format!("/projects/{p}/evm"), "/projects/{id}/evm", None, Read),
            (g.clone(), format!("/projects/{p}/utilization"), "/projects/{id}/utilization", None, Read),
            (Method::POST, format!("/projects/{p}/level"), "/projects/{id}/level", Some(json!({"clear": true})), Edit),
            (g.clone(), format!("/projects/{p}/sprints"), "/projects/{id}/sprints", None, Read),
            (Method::POST, format!("/projects/{p}/sprints"), "/projects/{id}/sprints", Some(json!({"name": "x", "start": "2027-01-08", "finish": "2027-01-04"})), Edit),
            (g.clone(), format!("/sprints/{s}"), "/sprints/{id}", None, Read),
            (Method::PATCH, format!("/sprints/{s}"), "/sprints/{id}", Some(stale.clone()), Edit),
            (g.clone(), format!("/sprints/{s}/burndown"), "/sprints/{id}/burndown", None, Read),
            (g.clone(), format!("/projects/{p}/board"), "/projects/{id}/board", None, Read),
            (g.clone(), format!("/projects/{p}/standup"), "/projects/{id}/standup", None, Read),
            (Method::POST, format!("/projects/{p}/standup/notes"), "/projects/{id}/standup/notes", Some(json!({"text": " "})), Contribute),
            (Method::POST, format!("/projects/{p}/standup/actions"), "/projects/{id}/standup/actions", Some(json!({"kind": "late", "make": "risk", "date": "2999-01-01"})), Edit),
            (g.clone(), format!("/projects/{p}/follow-ups"), "/projects/{id}/follow-ups", None, Read),
            (Method::POST, format!("/projects/{p}/follow-ups"), "/projects/{id}/follow-ups", Some(json!({"title": ""})), Edit),
            (Method::PATCH, format!("/follow-ups/{fu}"), "/follow-ups/{id}", Some(json!({"title": "x", "version": 999_999})), Edit),
            (g.clone(), format!("/sprints/{s}/review"), "/sprints/{id}/review", None, Read),
            (Method::PUT, format!("/sprints/{s}/review"), "/sprints/{id}/review", Some(json!({"demo_notes": "x", "version": 999_999})), EditOrAccept),
            // The dependency's successor was never in the sprint.
            (Method::PUT, format!("/sprints/{s}/review/items/{t}"), "/sprints/{id}/review/items/{task_id}", Some(json!({"verdict": "accepted"})), Accept),
            (g.clone(), format!("/sprints/{s}/retro/items"), "/sprints/{id}/retro/items", None, Read),
            (Method::POST, format!("/sprints/{s}/retro/items"), "/sprints/{id}/retro/items", Some(json!({"column": "ideas", "text": " "})), Contribute),
            (Method::POST, format!("/retro-items/{card}/votes"), "/retro-items/{id}/votes", None, ContributeOk),
            (Method::DELETE, format!("/retro-items/{card}/votes"), "/retro-items/{id}/votes", None, ContributeOk),
            (Method::POST, format!("/retro-items/{card}/action"), "/retro-items/{id}/action", Some(json!({"kind": "risk"})), Edit),
            (g.clone(), format!("/projects/{p}/risks"), "/projects/{id}/risks", None, Read),
            (Method::POST, format!("/projects/{p}/risks"), "/projects/{id}/risks", Some(json!({"title": "x", "probability": 9, "impact": 1})), Edit),
            (g.clone(), format!("/risks/{k}"), "/risks/{id}", None, Read),
            (Method::PATCH, format!("/risks/{k}"), "/risks/{id}", Some(stale.clone()), Edit),
            (g.clone(), format!("/projects/{p}/risks/heatmap"), "/projects/{id}/risks/heatmap", None, Read),
            (g.clone(), format!("/projects/{p}/defects"), "/projects/{id}/defects", None, Read),
            (Method::POST, format!("/projects/{p}/defects"), "/projects/{id}/defects", Some(json!({"title": ""})), Contribute),
            (g.clone(), format!("/defects/{f}"), "/defects/{id}", None, Read),
            // The manager's defect: its reporter and admins edit it.
            (Method::PATCH, format!("/defects/{f}"), "/defects/{id}", Some(stale.clone()), Edit),
            (g.clone(), format!("/projects/{p}/quality"), "/projects/{id}/quality", None, Read),
            (g.clone(), format!("/projects/{p}/monte-carlo"), "/projects/{id}/monte-carlo", None, Read),
            (Method::POST, format!("/projects/{p}/monte-carlo"), "/projects/{id}/monte-carlo", Some(json!({"iterations": 0})), Edit),
            (g.clone(), format!("/monte-carlo/{m}"), "/monte-carlo/{id}", None, Read),
            (g.clone(), format!("/projects/{p}/status-reports"), "/projects/{id}/status-reports", None, Read),
            (Method::POST, format!("/projects/{p}/status-reports"), "/projects/{id}/status-reports", Some(json!({"period": ""})), Edit),
            (g.clone(), format!("/status-reports/{sr}"), "/status-reports/{id}", None, Read),
            (Method::PATCH, format!("/status-reports/{sr}"), "/status-reports/{id}", Some(stale.clone()), Edit),
            (Method::POST, format!("/status-reports/{sr}/publish"), "/status-reports/{id}/publish", Some(stale.clone()), Edit),
            (g.clone(), format!("/projects/{p}/rag-thresholds"), "/projects/{id}/rag-thresholds", None, Read),
            (Method::PUT, format!("/projects/{p}/rag-thresholds"), "/projects/{id}/rag-thresholds", Some(th), Edit),
            (Method::POST, format!("/projects/{p}/import"), "/projects/{id}/import", Some(json!("<Project/>")), Edit),
            (g.clone(), format!("/projects/{p}/export?format=mspdi"), "/projects/{id}/export", None, Read),
            (g.clone(), format!("/projects/{p}/tasks.csv"), "/projects/{id}/tasks.csv", None, Read),
            (g.clone(), format!("/projects/{p}/milestones.ics"), "/projects/{id}/milestones.ics", None, Read),
            (g.clone(), format!("/projects/{p}/gantt.svg"), "/projects/{id}/gantt.svg", None, Read),
            (g.clone(), format!("/dashboards/project/{p}"), "/dashboards/project/{id}", None, Read),
            (g.clone(), format!("/projects/{p}/change-requests"), "/projects/{id}/change-requests", None, Read),
            (Method::POST, format!("/projects/{p}/change-requests"), "/projects/{id}/change-requests", Some(json!({"title": "x", "edits": []})), Contribute),
            (g.clone(), format!("/change-requests/{cr}"), "/change-requests/{id}", None, Read),
            // The manager's draft: its author and admins submit it.
            (Method::POST, format!("/change-requests/{cr}/submit"), "/change-requests/{id}/submit", Some(stale.clone()), Edit),
            // A draft is routed to no one: only admins may speak, and there is nothing to decide yet.
            (Method::POST, format!("/change-requests/{cr}/decisions"), "/change-requests/{id}/decisions", Some(json!({"outcome": "approve", "rationale": "x"})), AdminConflict),
            (g.clone(), format!("/workspaces/{ws}/decisions"), "/workspaces/{ws}/decisions", None, Read),
            (g.clone(), format!("/workspaces/{ws}/decisions.csv"), "/workspaces/{ws}/decisions.csv", None, Read),
            (g.clone(), format!("/projects/{p}/time-report.csv"), "/projects/{id}/time-report.csv", None, Read),
            // Every member comments; an empty comment is refused after the rights check.
            (g.clone(), format!("/projects/{p}/comments"), "/projects/{id}/comments", None, Read),
            (Method::POST, format!("/projects/{p}/comments"), "/projects/{id}/comments", Some(json!({"body": " "})), Read),
            (g.clone(), format!("/tasks/{t}/comments"), "/tasks/{id}/comments", None, Read),
            (Method::POST, format!("/tasks/{t}/comments"), "/tasks/{id}/comments", Some(json!({"body": " "})), Read),
            (g.clone(), format!("/risks/{k}/comments"), "/risks/{id}/comments", None, Read),
            (Method::POST, format!("/risks/{k}/comments"), "/risks/{id}/comments", Some(json!({"body": " "})), Read),
            (g.clone(), format!("/change-requests/{cr}/comments"), "/change-requests/{id}/comments", None, Read),
            (Method::POST, format!("/change-requests/{cr}/comments"), "/change-requests/{id}/comments", Some(json!({"body": " "})), Read),
        ];
        // Deletions, on an object made for each caller by the manager.
        let deletions: [(&str, &str); 8] = [
            ("task", "/tasks/{id}"),
            ("dependency", "/dependencies/{id}"),
            ("calendar", "/calendars/{id}"),
            ("time entry", "/time-entries/{id}"),
            ("baseline", "/projects/{id}/baselines/{number}"),
            ("sprint", "/sprints/{id}"),
            ("risk", "/risks/{id}"),
            ("retrospective card", "/retro-items/{id}"),
        ];

        // Every project-side route of the OpenAPI document has a row.
        let doc = json_ok(app.anonymous().get("/api/v1/openapi.json").await, 200).await;
        let prefixes = PROJECT_PREFIXES;
        let mut documented = BTreeSet::new();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            // The document's paths carry the API's base; the rows do not.
            let path = path.strip_prefix("/api/v1").unwrap_or(path).to_owned();
            if prefixes.iter().any(|pre| path.starts_with(pre)) {
                for m in ops.as_object().unwrap().keys() {
                    documented.insert((m.to_uppercase(), path.clone()));
                }
            }
        }
        let mut covered: BTreeSet<(String, String)> = rows.iter().map(|(m, _, tpl, _, _)| (m.to_string(), (*tpl).to_owned())).collect();
        covered.extend(deletions.iter().map(|(_, tpl)| ("DELETE".to_owned(), (*tpl).to_owned())));
        assert!(documented.len() > 50, "the document's project routes were found: {}", documented.len());
        let missing: Vec<_> = documented.difference(&covered).collect();
        assert!(missing.is_empty(), "project endpoints without a rights row: {missing:?}");

        let _ = other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        let mut failures = Vec::new();
        for role in ROLES {
            let api = app.login_as(role).await;
            for (method, path, tpl, body, needs) in &rows {
                let got = call(&api, method, path, body.as_ref()).await;
                let ok = if allowed(*needs, role) {
                    if *needs == AdminConflict {
                        got == 409
                    } else if *needs == ContributeOk || *method == Method::GET || tpl.ends_with("/level") {
                        got == 200
                    } else {
                        got == 412 || got == 422
                    }
                } else {
                    got == 403
                };
                if !ok {
                    failures.push(format!("{role} {method} {tpl}: {got} (needs {needs:?})"));
                }
            }
            // Fresh objects to delete.
            let id = |v: Value| v["id"].as_str().unwrap().to_owned();
            let nt = id(json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": format!("del {role}")})).await, 201).await);
            let nt2 = id(json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), json!({"name": format!("del2 {role}")})).await, 201).await);
            let nd = id(json_ok(pm.post(&format!("/api/v1/projects/{p}/dependencies"), json!({"predecessor_id": nt, "successor_id": nt2})).await, 201).await);
            let nc = id(json_ok(pm.post(&format!("/api/v1/projects/{p}/calendars"), json!({"name": format!("del {role}"), "week": week})).await, 201).await);
            let ne = id(json_ok(pm.post(&format!("/api/v1/projects/{p}/time-entries"), json!({"task_id": t, "resource_id": r, "date": "2027-01-05", "minutes": 30})).await, 201).await);
            let nb = ROLES.iter().position(|x| *x == role).unwrap() + 1;
            json_ok(pm.post(&format!("/api/v1/projects/{p}/baselines"), json!({"number": nb})).await, 201).await;
            let ns = id(json_ok(pm.post(&format!("/api/v1/projects/{p}/sprints"), json!({"name": "del", "start": "2027-01-04", "finish": "2027-01-05"})).await, 201).await);
            let nk = id(json_ok(pm.post(&format!("/api/v1/projects/{p}/risks"), json!({"title": "del", "probability": 1, "impact": 1})).await, 201).await);
            let nr = id(json_ok(pm.post(&format!("/api/v1/sprints/{s}/retro/items"), json!({"column": "ideas", "text": "del"})).await, 201).await);
            let targets = [
                format!("/tasks/{nt2}"),
                format!("/dependencies/{nd}"),
                format!("/calendars/{nc}"),
                format!("/time-entries/{ne}"),
                format!("/projects/{p}/baselines/{nb}"),
                format!("/sprints/{ns}"),
                format!("/risks/{nk}"),
                format!("/retro-items/{nr}"),
            ];
            // The dependency goes first: deleting its task would take it along.
            for (i, path) in [1usize, 0, 2, 3, 4, 5, 6, 7].iter().map(|&i| (i, &targets[i])) {
                let o = call(&outsider, &Method::DELETE, path, None).await;
                if o != 404 {
                    failures.push(format!("outsider DELETE {}: {o}", deletions[i].1));
                }
                let got = call(&api, &Method::DELETE, path, None).await;
                let want = if allowed(Edit, role) { 204 } else { 403 };
                if got != want {
                    failures.push(format!("{role} DELETE {}: {got}, want {want}", deletions[i].1));
                }
            }
        }
        for (method, path, tpl, body, _) in &rows {
            let got = call(&outsider, method, path, body.as_ref()).await;
            if got != 404 {
                failures.push(format!("outsider {method} {tpl}: {got}"));
            }
        }
        assert!(failures.is_empty(), "{} wrong answers:\n{}", failures.len(), failures.join("\n"));
    })
    .await;
}
