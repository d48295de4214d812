//! My work: a person's tasks by when the computed schedule has them due,
//! the change requests waiting for their call, their unread
//! notifications and their week's hours; a contributor's first page.

use serde_json::{Value, json};
use tandem_core::{Millis, Role};

use crate::support::{Api, json_ok, new_project, on_each_database};

fn at(s: &str) -> Millis {
    let t: jiff::Timestamp = s.parse().unwrap();
    Millis(t.as_millisecond())
}

fn keys(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_owned()).collect()
}

async fn task(pm: &Api, p: &str, name: &str, days: i64, resource: &str) -> Value {
    json_ok(
        pm.post(
            &format!("/api/v1/projects/{p}/tasks"),
            json!({"name": name, "duration_minutes": days * 480, "assignments": [{"resource_id": resource}]}),
        )
        .await,
        201,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_work_lists_a_persons_tasks_by_due_date_their_calls_and_their_week() {
    on_each_database("my_work", |app| async move {
        let ws = app.seed_demo().await;
        // Wednesday of the project's first week.
        app.clock.set(at("2027-01-06T10:00:00Z"));
        let pm = app.login_as(Role::ProjectManager).await;
        let dev = app.login_as(Role::Contributor).await;
        let dev_id = app.state.store.user_by_email("dev@demo.example").await.unwrap().unwrap().id.to_string();
        let resources = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/resources")).await, 200).await;
        let mine =
            resources["items"].as_array().unwrap().iter().find(|r| r["user_id"] == dev_id.as_str()).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned();
        let other = resources["items"].as_array().unwrap().iter().find(|r| r["user_id"].is_null()).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let p = new_project(&pm, &ws, "My work", "MW").await;
        // Starts Monday 4 January: one day, done Monday (overdue by now).
        let a = task(&pm, &p, "Kick-off notes", 1, &mine).await;
        // Three days after it: Tuesday to Thursday (due this week).
        let b = task(&pm, &p, "Wire the vault", 3, &mine).await;
        json_ok(
            pm.post(
                &format!("/api/v1/projects/{p}/dependencies"),
                json!({"predecessor_id": a["id"], "successor_id": b["id"], "type": "FS"}),
            )
            .await,
            201,
        )
        .await;
        // Twenty days from Monday, started (in progress), and twenty not
        // started (next).
        let c = task(&pm, &p, "Migrate the ledger", 20, &mine).await;
        json_ok(
            pm.patch(
                &format!("/api/v1/tasks/{}", c["id"].as_str().unwrap()),
                json!({"percent_complete": 10, "version": c["version"]}),
            )
            .await,
            200,
        )
        .await;
        task(&pm, &p, "Write the runbook", 20, &mine).await;
        // Someone else's, and one of mine already done: neither is listed.
        task(&pm, &p, "Not mine", 1, &other).await;
        let done = task(&pm, &p, "Already done", 1, &mine).await;
        json_ok(
            pm.patch(
                &format!("/api/v1/tasks/{}", done["id"].as_str().unwrap()),
                json!({"percent_complete": 100, "version": done["version"]}),
            )
            .await,
            200,
        )
        .await;
        json_ok(
            dev.post(
                &format!("/api/v1/projects/{p}/time-entries"),
                json!({"task_id": a["id"], "date": "2027-01-05", "minutes": 150}),
            )
            .await,
            201,
        )
        .await;

        let w = json_ok(dev.get(&format!("/api/v1/workspaces/{ws}/my-work")).await, 200).await;
        assert_eq!(w["today"], "2027-01-06");
        let only_mw = |list: &Value| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .filter(|t| t["project_id"] == p.as_str())
                .map(|t| t["name"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(only_mw(&w["overdue"]), vec!["Kick-off notes"]);
        assert_eq!(only_mw(&w["due_this_week"]), vec!["Wire the vault"]);
        assert_eq!(
            w["due_this_week"].as_array().unwrap().iter().find(|t| t["name"] == "Wire the vault").unwrap()["finish"],
            "2027-01-07T17:00:00"
        );
        assert_eq!(only_mw(&w["in_progress"]), vec!["Migrate the ledger"]);
        assert_eq!(only_mw(&w["next"]), vec!["Write the runbook"]);
        // Every task listed is the caller's, in any project of the workspace.
        for list in ["overdue", "due_this_week", "in_progress", "next"] {
            assert!(!keys(&w[list]).contains(&"Not mine".to_owned()), "{list}");
            assert!(!keys(&w[list]).contains(&"Already done".to_owned()), "{list}");
        }
        assert_eq!(w["timesheet"]["total_minutes"], 150);
        assert!(w["decisions"].as_array().unwrap().is_empty(), "a contributor decides no change request");

        // The project manager owns the demo's submitted change request.
        let pw = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/my-work")).await, 200).await;
        let calls: Vec<&str> =
            pw["decisions"].as_array().unwrap().iter().map(|d| d["title"].as_str().unwrap()).collect();
        assert_eq!(calls, vec!["Bring loyalty points into 2027.1"]);
        assert!(pw["unread_count"].as_i64().unwrap() >= 1);
        assert!(pw["unread"].as_array().unwrap().iter().any(|n| n["reason"] == "decision_needed"));

        // A contributor starts on it; the page shows the groups.
        let r = dev.get("/").await;
        assert!(r.url().path().ends_with("/my-work"), "{}", r.url());
        let html = r.text().await.unwrap();
        for needle in ["My work", "Overdue", "Kick-off notes", "Due this week", "Wire the vault", "2.5"] {
            assert!(html.contains(needle), "{needle}");
        }
        // Others start on the workspace's home.
        let r = pm.get("/").await;
        assert_eq!(r.url().path(), format!("/w/{ws}"));
    })
    .await;
}
