//! Live updates: a workspace's changes as server-sent events, as they
//! commit, only what the listener may read, resumed after Last-Event-ID
//! without loss, and heard across two servers of one PostgreSQL database.

use std::time::Duration;

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, OUTSIDER, TestApp, databases, expect_error, json_ok, on_each_database, other_workspace};

/// One server-sent event: its id, name and data.
#[derive(Debug, Clone)]
struct Sse {
    id: String,
    event: String,
    data: Value,
}

/// An open event stream.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(api: &Api, ws: &str, last: Option<&str>) -> Events {
        let mut rb = api.request(reqwest::Method::GET, &format!("/api/v1/workspaces/{ws}/events"));
        if let Some(l) = last {
            rb = rb.header("Last-Event-ID", l);
        }
        let response = rb.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Events { response, buffer: String::new() }
    }

    /// The next event, within five seconds.
    async fn next(&mut self) -> Sse {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                return Sse { id, event, data: serde_json::from_str(&data).unwrap() };
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .expect("an event within five seconds")
                .unwrap()
                .expect("the stream stays open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next event of type `event`, skipping others.
    async fn next_of(&mut self, event: &str) -> Sse {
        loop {
            let e = self.next().await;
            if e.event == event {
                return e;
            }
        }
    }
}

async fn first_task(api: &Api, ws: &str) -> (String, Value) {
    let projects = json_ok(api.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
    let p = projects["items"].as_array().unwrap().iter().find(|x| x["key"] == "CKT").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tasks = json_ok(api.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
    let t = tasks["items"].as_array().unwrap().iter().find(|t| t["kind"] == "task").unwrap().clone();
    (p, t)
}

async fn rename(api: &Api, task: &str, name: &str) -> Value {
    let t = json_ok(api.get(&format!("/api/v1/tasks/{task}")).await, 200).await;
    json_ok(api.patch(&format!("/api/v1/tasks/{task}"), json!({"name": name, "version": t["version"]})).await, 200)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_stream_to_every_member_as_they_commit_and_resume_without_loss() {
    on_each_database("changes_stream_live", |app| async move {
        let ws = app.seed_demo().await;
        let (pm, dev) = (app.login_as(Role::ProjectManager).await, app.login_as(Role::Contributor).await);
        let (p, task) = first_task(&pm, &ws).await;
        let id = task["id"].as_str().unwrap().to_owned();

        // A change by one member reaches another's stream, with the new version.
        let mut stream = Events::open(&dev, &ws, None).await;
        let renamed = rename(&pm, &id, "Renamed live").await;
        let e = stream.next_of("task").await;
        assert_eq!(e.data["type"], "task");
        assert_eq!(e.data["id"], id.as_str());
        assert_eq!(e.data["action"], "task.updated");
        assert_eq!(e.data["version"], renamed["version"]);
        assert!(!e.id.is_empty());

        // Someone else's time reaches only those who may see others' timesheets.
        let mut pm_stream = Events::open(&pm, &ws, None).await;
        json_ok(
            pm.post(
                &format!("/api/v1/projects/{p}/time-entries"),
                json!({"task_id": id, "date": "2026-11-30", "minutes": 60}),
            )
            .await,
            201,
        )
        .await;
        rename(&pm, &id, "After the time").await;
        assert_eq!(pm_stream.next().await.event, "time_entry");
        let seen = stream.next().await;
        assert_eq!((seen.event.as_str(), &seen.data["id"]), ("task", &json!(id)), "{seen:?}");
        let last = seen.id.clone();
        drop(stream);

        // Reconnecting with Last-Event-ID gives what was missed, in order.
        rename(&pm, &id, "Missed one").await;
        rename(&pm, &id, "Missed two").await;
        let mut resumed = Events::open(&dev, &ws, Some(&last)).await;
        let (a, b) = (resumed.next().await, resumed.next().await);
        assert_eq!((a.event.as_str(), b.event.as_str()), ("task", "task"));
        assert!(a.id.parse::<i64>().unwrap() < b.id.parse::<i64>().unwrap());
        let now = json_ok(pm.get(&format!("/api/v1/tasks/{id}")).await, 200).await;
        assert_eq!(b.data["version"], now["version"]);

        // Outsiders hear nothing; a bad id is refused.
        other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        expect_error(outsider.get(&format!("/api/v1/workspaces/{ws}/events")).await, 404, "not_found").await;
        let bad =
            dev.request(reqwest::Method::GET, &format!("/api/v1/workspaces/{ws}/events")).header("Last-Event-ID", "x");
        expect_error(bad.send().await.unwrap(), 400, "invalid_query").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_server_is_heard_on_another() {
    let test = "a_change_through_one_server_is_heard_on_another";
    for db in databases(test).await {
        if db.label() != "postgres" {
            eprintln!("{test}: one SQLite file has one server; skipped on {}", db.label());
            db.destroy().await;
            continue;
        }
        let a = TestApp::start(&db, tandem_server::Config::default()).await;
        let b = TestApp::start(&db, tandem_server::Config::default()).await;
        let ws = a.seed_demo().await;
        let on_b = b.login_as(Role::Contributor).await;
        let on_a = a.login_as(Role::ProjectManager).await;
        let (_, task) = first_task(&on_a, &ws).await;
        let id = task["id"].as_str().unwrap().to_owned();
        let mut stream = Events::open(&on_b, &ws, None).await;
        let started = std::time::Instant::now();
        rename(&on_a, &id, "Through server A").await;
        let e = stream.next_of("task").await;
        assert_eq!(e.data["id"], id.as_str());
        assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
        drop(stream);
        drop((a, b));
        db.destroy().await;
    }
}
