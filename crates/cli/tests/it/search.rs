//! One search over every kind of object: words matched as prefixes, all
//! required, ranked (an exact key first), kept current in the write's
//! transaction, and never anything the caller may not read.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, OUTSIDER, expect_error, json_ok, on_each_database, other_workspace};

/// `(type, key, title, url)` of each item found for `query`.
async fn found(api: &Api, query: &str) -> Vec<(String, String, String, String)> {
    let r = json_ok(api.get(&format!("/api/v1/search?{query}")).await, 200).await;
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or("").to_owned();
            (s("type"), s("key"), s("title"), s("url"))
        })
        .collect()
}

fn types(items: &[(String, String, String, String)]) -> Vec<&str> {
    let mut t: Vec<&str> = items.iter().map(|i| i.0.as_str()).collect();
    t.sort_unstable();
    t
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_every_kind_by_key_title_and_words_and_only_what_the_caller_may_read() {
    on_each_database("search_finds_every_kind", |app| async move {
        let ws = app.seed_demo().await;
        let (pm, pdm) = (app.login_as(Role::ProjectManager).await, app.login_as(Role::ProductManager).await);
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let product = id_of(&products["items"][0]);
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let project = id_of(projects["items"].as_array().unwrap().iter().find(|p| p["key"] == "CKT").unwrap());

        let task = json_ok(
            pm.post(
                &format!("/api/v1/projects/{project}/tasks"),
                json!({"name": "Quasar ledger reconciliation", "duration_minutes": 480,
                       "notes": "The **zephyr** tokens need rotating before go-live."}),
            )
            .await,
            201,
        )
        .await;
        let (task_id, task_key) = (id_of(&task), task["key"].as_str().unwrap().to_owned());
        let risk = json_ok(
            pm.post(
                &format!("/api/v1/projects/{project}/risks"),
                json!({"title": "Quasar vendor lock-in", "probability": 2, "impact": 3, "response": "mitigate",
                       "mitigation": "Keep an export path"}),
            )
            .await,
            201,
        )
        .await;
        let feature = json_ok(
            pdm.post(&format!("/api/v1/products/{product}/features"), json!({"title": "Quasar loyalty wallet"})).await,
            201,
        )
        .await;
        let feedback = json_ok(
            pdm.post(
                &format!("/api/v1/products/{product}/feedback"),
                json!({"text": "Please let us export quasar statements as PDF", "source": "support",
                       "customer": "Acme"}),
            )
            .await,
            201,
        )
        .await;
        json_ok(
            pm.post(&format!("/api/v1/tasks/{task_id}/comments"), json!({"body": "Talked to the xylophone team"}))
                .await,
            201,
        )
        .await;

        // Every kind that holds the word, as a prefix too, with its page.
        let all = found(&pm, "q=quasar").await;
        assert_eq!(types(&all), vec!["feature", "feedback", "risk", "task"], "{all:?}");
        assert_eq!(found(&pm, "q=QUAS").await.len(), 4);
        assert!(all.contains(&(
            "task".into(),
            task_key.clone(),
            "Quasar ledger reconciliation".into(),
            format!("/tasks/{task_id}")
        )));
        let r = id_of(&risk);
        assert!(all.iter().any(|i| i.0 == "risk" && i.3 == format!("/projects/{project}/risks#risk-{r}")));
        assert!(all.iter().any(|i| i.0 == "feature" && i.3 == format!("/features/{}", id_of(&feature))));
        let fb = all.iter().find(|i| i.0 == "feedback").unwrap();
        assert_eq!(fb.2, "Please let us export quasar statements as PDF (Acme)");
        assert_eq!(fb.3, format!("/products/{product}/feedback#feedback-{}", id_of(&feedback)));

        // Every word must match; words in the body count; the snippet
        // shows them as plain words.
        assert_eq!(types(&found(&pm, "q=quasar%20ledg").await), vec!["task"]);
        let body = json_ok(pm.get("/api/v1/search?q=zephyr").await, 200).await;
        assert_eq!(body["items"][0]["id"], task_id.as_str());
        assert_eq!(body["items"][0]["snippet"], "The zephyr tokens need rotating before go-live.");
        // A key finds its object first, whatever else holds its words.
        let by_key = found(&pm, &format!("q={task_key}")).await;
        assert_eq!(by_key[0].1, task_key, "{by_key:?}");
        // Comments name their subject and lead to its page.
        let c = found(&pm, "q=xylophone").await;
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0, "comment");
        assert_eq!(c[0].2, format!("Comment on {task_key} Quasar ledger reconciliation"));
        assert_eq!(c[0].3, format!("/tasks/{task_id}"));
        // Types narrow; limit caps.
        assert_eq!(types(&found(&pm, "q=quasar&type=risk,feature").await), vec!["feature", "risk"]);
        assert_eq!(found(&pm, "q=quasar&limit=1").await.len(), 1);

        // Kept current in the write's transaction: renamed, the old words
        // are gone and the new ones found; deleted, gone.
        let v = task["version"].as_i64().unwrap();
        json_ok(
            pm.patch(&format!("/api/v1/tasks/{task_id}"), json!({"name": "Nebula ledger", "version": v})).await,
            200,
        )
        .await;
        assert!(found(&pm, "q=quasar%20ledger").await.is_empty());
        assert_eq!(found(&pm, "q=nebula").await[0].2, "Nebula ledger");
        assert_eq!(found(&pm, "q=nebula").await[0].1, task_key);
        assert_eq!(pm.delete(&format!("/api/v1/risks/{r}")).await.status(), 204);
        assert_eq!(types(&found(&pm, "q=quasar").await), vec!["feature", "feedback"]);

        // Decisions are found by their rationale and lead to the log.
        let cr = json_ok(
            pm.post(
                &format!("/api/v1/projects/{project}/change-requests"),
                json!({"title": "Marimba scope trim", "edits": [{"op": "update_task", "task_id": task_id,
                    "fields": {"duration_minutes": 960}}]}),
            )
            .await,
            201,
        )
        .await;
        let cr_id = id_of(&cr);
        json_ok(
            pm.post(&format!("/api/v1/change-requests/{cr_id}/submit"), json!({"version": cr["version"]})).await,
            200,
        )
        .await;
        json_ok(
            pm.post(
                &format!("/api/v1/change-requests/{cr_id}/decisions"),
                json!({"outcome": "reject", "rationale": "Glockenspiel budget is gone"}),
            )
            .await,
            200,
        )
        .await;
        let d = found(&pm, "q=glockenspiel").await;
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].0, "decision");
        assert!(d[0].2.starts_with("Decision on ") && d[0].2.contains("Marimba scope trim"), "{d:?}");
        assert_eq!(d[0].3, format!("/w/{ws}/decisions?subject_type=change_request&subject_id={cr_id}"));
        assert_eq!(types(&found(&pm, "q=marimba").await), vec!["change_request"]);

        // Nothing of a workspace the caller is not in, either way.
        let other = other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        assert!(found(&outsider, "q=quasar").await.is_empty());
        let theirs = json_ok(
            outsider
                .post(&format!("/api/v1/workspaces/{other}/products"), json!({"name": "Quasar secret", "key": "QS"}))
                .await,
            201,
        )
        .await;
        let their_product = id_of(&theirs);
        json_ok(
            outsider
                .post(&format!("/api/v1/products/{their_product}/features"), json!({"title": "Quasar secret plan"}))
                .await,
            201,
        )
        .await;
        assert_eq!(found(&outsider, "q=quasar").await.len(), 1);
        assert!(found(&pm, "q=secret").await.is_empty());
        // A member removed reads nothing of the workspace any more.
        let admin = app.login_as(Role::Admin).await;
        let sh = app.login_as(Role::Stakeholder).await;
        assert!(!found(&sh, "q=quasar").await.is_empty());
        let members = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/members")).await, 200).await;
        let m = members["items"].as_array().unwrap().iter().find(|m| m["role"] == "stakeholder").unwrap();
        let mid = m["id"].as_str().unwrap();
        assert_eq!(admin.delete(&format!("/api/v1/workspaces/{ws}/members/{mid}")).await.status(), 204);
        assert!(found(&sh, "q=quasar").await.is_empty());

        // Bad queries are refused, naming the parameter.
        for (q, field) in [("q=", "q"), ("q=%20%20", "q"), ("", "q"), ("q=x&type=bogus", "type")] {
            let e = expect_error(pm.get(&format!("/api/v1/search?{q}")).await, 422, "invalid_value").await;
            assert_eq!(e["error"]["details"]["field"], field, "{q}");
        }
        let long = "x".repeat(201);
        expect_error(pm.get(&format!("/api/v1/search?q={long}")).await, 422, "invalid_value").await;
        expect_error(pm.get("/api/v1/search?q=a&limit=ten").await, 400, "invalid_query").await;
        expect_error(app.anonymous().get("/api/v1/search?q=quasar").await, 401, "unauthenticated").await;
        // Words of query syntax are only words.
        assert!(found(&pm, "q=%22%20*%20%26%20!:*").await.is_empty());
        assert_eq!(types(&found(&pm, "q=quasar%22%20OR%20wallet").await), Vec::<&str>::new());
    })
    .await;
}
