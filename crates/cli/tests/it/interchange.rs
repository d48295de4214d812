//! MS Project files in and out through the API: an imported corpus file
//! schedules exactly as `tandem schedule` schedules the file; the export
//! reads back to the same schedule; tasks CSV and milestones iCalendar.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, expect_error, json_ok, on_each_database};

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
    })
    .await;
}
