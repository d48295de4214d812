//! MS Project files in and out through the API: an imported corpus file
//! schedules exactly as `tandem schedule` schedules the file; the export
//! reads back to the same schedule; tasks CSV and milestones iCalendar.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, assert_outline, expect_error, json_ok, on_each_database};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../formats/tests/fixtures/corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

async fn import(api: &Api, project: &str, bytes: Vec<u8>) -> reqwest::Response {
    api.request(reqwest::Method::POST, &format!("/api/v1/projects/{project}/import"))
        .header("content-type", "application/xml")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

/// The fields both schedules carry, per task in file order.
fn rows_of_report(r: &tandem_formats::mspdi::Report) -> Vec<Value> {
    r.tasks
        .iter()
        .map(|t| {
            json!([
                t.start,
                t.finish,
                t.early_start,
                t.early_finish,
                t.late_start,
                t.late_finish,
                t.total_slack_minutes,
                t.free_slack_minutes,
                t.critical
            ])
        })
        .collect()
}

fn rows_of_api(s: &Value) -> Vec<Value> {
    s["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            json!([
                t["start"],
                t["finish"],
                t["early_start"],
                t["early_finish"],
                t["late_start"],
                t["late_finish"],
                t["total_slack_minutes"],
                t["free_slack_minutes"],
                t["critical"]
            ])
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_corpus_files_schedule_like_the_cli() {
    on_each_database("imported_corpus_files_schedule_like_the_cli", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let options = tandem_formats::mspdi::Options::default();
        let (mut same, mut total) = (0usize, 0usize);
        let mut differing = Vec::new();
        for (n, (name, bytes)) in corpus().into_iter().enumerate() {
            let Ok(report) = tandem_formats::mspdi::schedule_report(&bytes, &options) else { continue };
            let p = json_ok(
                pm.post(
                    &format!("/api/v1/workspaces/{ws}/projects"),
                    json!({"name": name, "key": format!("IM{n}"), "start": "2020-01-01"}),
                )
                .await,
                201,
            )
            .await;
            let id = p["id"].as_str().unwrap().to_owned();
            let r = import(&pm, &id, bytes.clone()).await;
            let rep = json_ok(r, 201).await;
            assert_eq!(rep["tasks"].as_u64().unwrap() as usize, report.tasks.len(), "{name}: {rep}");
            let s = json_ok(pm.get(&format!("/api/v1/projects/{id}/schedule")).await, 200).await;
            assert_eq!(s["project"]["start"], report.project.start, "{name}");
            assert_eq!(s["project"]["finish"], report.project.finish, "{name}");
            let (a, b) = (rows_of_api(&s), rows_of_report(&report));
            let ok = a.iter().zip(&b).filter(|(x, y)| x == y).count();
            same += ok;
            total += b.len();
            if ok != b.len() {
                differing.push(format!("{name}: {ok}/{}", b.len()));
            }
            // Export and schedule the exported file: the same dates again
            // (MSPDI has no field for a start bound from another project,
            // nor for dates set by resources' calendars without them).
            let tasks = json_ok(pm.get(&format!("/api/v1/projects/{id}/tasks")).await, 200).await;
            if tasks["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["external_start"].is_string() || t["slack_calendar_id"].is_string())
            {
                continue;
            }
            let x = pm.get(&format!("/api/v1/projects/{id}/export?format=mspdi")).await;
            assert_eq!(x.status(), 200);
            assert!(x.headers()["content-type"].to_str().unwrap().starts_with("application/xml"));
            let exported = x.bytes().await.unwrap();
            let again = tandem_formats::mspdi::schedule_report(&exported, &options).unwrap();
            assert_eq!(again.project.finish, report.project.finish, "{name} after export");
            let (c, d) = (rows_of_report(&again), rows_of_api(&s));
            let round = c.iter().zip(&d).filter(|(x, y)| x == y).count();
            assert_eq!(round, d.len(), "{name}: exported file schedules differently");
            // A second import into the same project is refused.
            expect_error(import(&pm, &id, bytes).await, 409, "conflict").await;
        }
        eprintln!("imported corpus: {same}/{total} tasks scheduled as by `tandem schedule`; differing: {differing:?}");
        assert_eq!(same, total, "{differing:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_refuses_bad_files_and_exports_csv_and_ics() {
    on_each_database("import_refuses_bad_files_and_exports_csv_and_ics", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let p = json_ok(
            pm.post(
                &format!("/api/v1/workspaces/{ws}/projects"),
                json!({"name": "Bad", "key": "BAD", "start": "2027-01-04"}),
            )
            .await,
            201,
        )
        .await;
        let id = p["id"].as_str().unwrap().to_owned();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../formats/tests/fixtures/redteam");
        let mut refused = 0;
        for e in std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
            let path = e.path();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.extension().is_none_or(|x| x != "xml") || file.starts_with("valid") {
                continue;
            }
            let r = import(&pm, &id, std::fs::read(&path).unwrap()).await;
            let status = r.status().as_u16();
            assert!(status == 422 || status == 413, "{}: {status}", path.display());
            refused += 1;
        }
        assert!(refused > 0);
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{id}/tasks")).await, 200).await;
        assert_eq!(tasks["items"], json!([]), "refused files store nothing");
        let dev = app.login_as(Role::Contributor).await;
        let corpus = corpus();
        let (_, small) = corpus.iter().find(|(n, _)| n.contains("task-links-project2010")).unwrap();
        expect_error(import(&dev, &id, small.clone()).await, 403, "forbidden").await;
        json_ok(import(&pm, &id, small.clone()).await, 201).await;

        let csv = pm.get(&format!("/api/v1/projects/{id}/tasks.csv")).await;
        assert_eq!(csv.status(), 200);
        let text = csv.text().await.unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("key,wbs,name,kind,status,duration_days"));
        assert!(lines.next().unwrap().starts_with("BAD-1,1,"), "{text}");
        // A milestone of its own, then the calendar.
        json_ok(
            pm.post(
                &format!("/api/v1/projects/{id}/tasks"),
                json!({"name": "Go live; v1, final", "kind": "milestone"}),
            )
            .await,
            201,
        )
        .await;
        let ics = pm.get(&format!("/api/v1/projects/{id}/milestones.ics")).await;
        assert_eq!(ics.status(), 200);
        assert!(ics.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let body = ics.text().await.unwrap();
        assert!(body.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(body.contains("SUMMARY:BAD-"), "{body}");
        assert!(body.contains("Go live\\; v1\\, final"), "{body}");
        assert!(body.trim_end().ends_with("END:VCALENDAR"));
        expect_error(pm.get(&format!("/api/v1/projects/{id}/export?format=pdf")).await, 400, "invalid_query").await;

        // A file that lets links override constraint dates says so: the
        // project honours them.
        let p = json_ok(
            pm.post(
                &format!("/api/v1/workspaces/{ws}/projects"),
                json!({"name": "Loose", "key": "LOOSE", "start": "2026-03-02"}),
            )
            .await,
            201,
        )
        .await;
        let loose = r#"<Project xmlns="http://schemas.microsoft.com/project"><StartDate>2026-03-02T08:00:00</StartDate>
            <HonorConstraints>0</HonorConstraints><Tasks>
            <Task><UID>1</UID><Name>A</Name><Duration>PT16H0M0S</Duration></Task>
            <Task><UID>2</UID><Name>B</Name><Duration>PT8H0M0S</Duration><ConstraintType>2</ConstraintType>
            <ConstraintDate>2026-03-03T08:00:00</ConstraintDate>
            <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink></Task>
            </Tasks></Project>"#;
        let rep = json_ok(import(&pm, p["id"].as_str().unwrap(), loose.as_bytes().to_vec()).await, 201).await;
        let notes = rep["notes"].to_string();
        assert!(notes.contains("lets links override constraint dates"), "{rep}");
    })
    .await;
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Jira's CSV export and Trello's board export go into empty projects
/// through the same import: issues under their parents, "Blocks" links as
/// finish-to-start, estimates, status, points and assignees; lists as
/// phases with their cards, checklist progress and members. Bad files are
/// refused with what is wrong and store nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jira_and_trello_exports_import_into_projects() {
    on_each_database("jira_and_trello_exports_import_into_projects", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let project = |key: &'static str| {
            let pm = pm.clone();
            let ws = ws.clone();
            async move {
                let body = json!({"name": key, "key": key, "start": "2027-01-04"});
                json_ok(pm.post(&format!("/api/v1/workspaces/{ws}/projects"), body).await, 201).await["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        };
        let send = |id: String, query: &'static str, media: &'static str, body: Vec<u8>| {
            let pm = pm.clone();
            async move {
                pm.request(reqwest::Method::POST, &format!("/api/v1/projects/{id}/import{query}"))
                    .header("content-type", media)
                    .body(body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let rows = |id: String| {
            let pm = pm.clone();
            async move {
                let list = json_ok(pm.get(&format!("/api/v1/projects/{id}/tasks?limit=200")).await, 200).await;
                list["items"].as_array().unwrap().clone()
            }
        };

        // Jira: the epic is a summary over its stories, links chain the work.
        let jira = project("JRA").await;
        let r = json_ok(send(jira.clone(), "", "text/csv; charset=utf-8", fixture("jira-shop.csv")).await, 201).await;
        assert_eq!((r["tasks"].clone(), r["dependencies"].clone()), (json!(5), json!(4)), "{r}");
        assert_eq!(r["resources_created"].as_u64().unwrap() + r["resources_matched"].as_u64().unwrap(), 2);
        let notes = r["notes"].to_string();
        assert!(notes.contains("1 issues have no original estimate") && !notes.contains("SHOP-99"), "{notes}");
        assert!(notes.contains("1 \\\"Blocks\\\" links"), "{notes}");
        let tasks = rows(jira.clone()).await;
        assert_outline(
            &tasks,
            &[
                ("1", "Checkout revamp", "summary"),
                ("1.1", "Card payments", "task"),
                ("1.2", "Receipts by e-mail", "task"),
                ("2", "Refund flow", "task"),
                ("3", "Launch review", "task"),
            ],
        );
        let by = |n: &str| tasks.iter().find(|t| t["name"] == n).unwrap().clone();
        let pay = by("Card payments");
        assert_eq!((pay["status"].clone(), pay["percent_complete"].clone()), (json!("done"), json!(100)));
        assert_eq!((pay["duration_minutes"].clone(), pay["story_points"].clone()), (json!(960), json!(5.0)));
        assert_eq!(pay["deadline"], "2027-01-08T17:00:00");
        let refund = by("Refund flow");
        assert_eq!((refund["status"].clone(), refund["percent_complete"].clone()), (json!("in_progress"), json!(33)));
        assert_eq!(refund["priority"], 900);
        assert_eq!(refund["assignments"].as_array().unwrap().len(), 1);
        assert_eq!(by("Launch review")["duration_minutes"], 480, "no estimate: one working day");
        // Jira's custom fields fill the workspace's task fields of the same
        // name; a field it lacks and a value that does not fit are told.
        let me = json_ok(pm.get("/api/v1/me").await, 200).await["user"]["id"].clone();
        assert_eq!(pay["custom_fields"], json!({"component": "Payments", "reviewer": me}));
        assert_eq!(by("Receipts by e-mail")["custom_fields"], json!({"component": "Web"}));
        assert!(
            notes.contains("1 Jira fields have no task field of that name here and are left out (Team)"),
            "{notes}"
        );
        assert!(notes.contains("1 values did not fit their field") && notes.contains("Mainframe"), "{notes}");
        let s = json_ok(pm.get(&format!("/api/v1/projects/{jira}/schedule")).await, 200).await;
        let at = |n: &str| s["tasks"].as_array().unwrap().iter().find(|t| t["name"] == n).unwrap().clone();
        assert_eq!(at("Receipts by e-mail")["start"], "2027-01-06T08:00:00", "after the payments it waits on");
        assert_eq!(at("Launch review")["start"], "2027-01-11T08:00:00", "after both its blockers");
        // A second import into the same project is refused.
        expect_error(send(jira.clone(), "", "text/csv", fixture("jira-shop.csv")).await, 409, "conflict").await;

        // Trello: lists in board order become phases; archived ones stay out.
        let trello = project("TRL").await;
        let r = json_ok(
            send(trello.clone(), "?format=trello-json", "text/plain", fixture("trello-launch.json")).await,
            201,
        )
        .await;
        assert_eq!(r["tasks"], 7, "{r}");
        let notes = r["notes"].to_string();
        assert!(notes.contains("1 archived cards") && notes.contains("1 cards are on archived"), "{notes}");
        let tasks = rows(trello.clone()).await;
        let seen: Vec<String> =
            tasks.iter().map(|t| format!("{} {}", t["wbs"].as_str().unwrap(), t["name"].as_str().unwrap())).collect();
        assert_eq!(
            seen,
            [
                "1 To do",
                "1.1 Design the logo",
                "1.2 Launch post",
                "2 Doing",
                "2.1 Write the copy",
                "3 Done",
                "3.1 Pick a domain"
            ]
        );
        let copy = tasks.iter().find(|t| t["name"] == "Write the copy").unwrap();
        assert_eq!((copy["percent_complete"].clone(), copy["status"].clone()), (json!(50), json!("in_progress")));
        assert_eq!(copy["deadline"], "2027-01-15T17:00:00");
        assert_eq!(
            tasks.iter().find(|t| t["name"] == "Launch post").unwrap()["assignments"].as_array().unwrap().len(),
            2
        );
        assert_eq!(tasks.iter().find(|t| t["name"] == "Pick a domain").unwrap()["status"], "done");

        // Bad files: what is wrong, and nothing stored.
        let empty = project("BDF").await;
        for (query, media, body, words) in [
            ("", "text/csv", b"Name,Owner\nx,y\n".to_vec(), "Issue key"),
            ("", "text/csv", b"Summary,Issue key,Original Estimate\nA,K-1,soon\n".to_vec(), "line 2"),
            ("", "text/csv", b"Summary,Issue key,Issue id,Parent id\nA,K-1,1,2\nB,K-2,2,1\n".to_vec(), "lead back"),
            ("", "application/json", b"{\"lists\": []}".to_vec(), "Trello"),
            ("", "application/json", format!("{{\"lists\": {}", "[".repeat(100_000)).into_bytes(), "Trello"),
            ("?format=jira-csv", "application/xml", fixture("trello-launch.json"), "Issue key"),
        ] {
            let body = expect_error(send(empty.clone(), query, media, body).await, 422, "invalid_value").await;
            let msg = body["error"]["message"].as_str().unwrap_or_default().to_owned();
            assert!(msg.contains(words), "{words}: {body}");
        }
        expect_error(send(empty.clone(), "?format=pdf", "text/csv", Vec::new()).await, 400, "invalid_query").await;
        assert_eq!(rows(empty).await, Vec::<Value>::new(), "refused files store nothing");
    })
    .await;
}
