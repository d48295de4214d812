//! The task sheet's data and edits (`/projects/{id}/sheet.json`, `POST
//! /projects/{id}/sheet`), which the page's script uses: typed cells,
//! their refusals, and who may do what.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, expect_error, json_ok, new_project, on_each_database};

async fn sheet(api: &Api, p: &str) -> Value {
    json_ok(api.get(&format!("/projects/{p}/sheet.json")).await, 200).await
}

fn row<'a>(s: &'a Value, name: &str) -> &'a Value {
    s["rows"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap()
}

async fn cell(api: &Api, p: &str, r: &Value, field: &str, value: &str) -> reqwest::Response {
    let body = json!({"op": "cell", "task": r["id"], "version": r["version"], "field": field, "value": value});
    api.post(&format!("/projects/{p}/sheet"), body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sheet_cells_are_typed_checked_and_guarded() {
    on_each_database("sheet_cells_are_typed_checked_and_guarded", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let p = new_project(&pm, &ws, "Cells", "CEL").await;
        let url = format!("/projects/{p}/sheet");
        let post = |body: Value| pm.post(&url, body);
        for name in ["Design", "Build", "Test"] {
            json_ok(post(json!({"op": "add", "after": null, "name": name})).await, 200).await;
        }
        let s = sheet(&pm, &p).await;
        assert_eq!(s["can_edit"], true);
        assert_eq!(row(&s, "Build")["number"], 2);
        assert_eq!(row(&s, "Build")["duration"], "1 day");

        // Durations and predecessors as MS Project takes them; the schedule follows.
        json_ok(cell(&pm, &p, row(&s, "Design"), "duration", "2w").await, 200).await;
        json_ok(cell(&pm, &p, row(&s, "Build"), "predecessors", "1FS+2d").await, 200).await;
        let s = sheet(&pm, &p).await;
        assert_eq!(row(&s, "Design")["duration"], "10 days");
        assert_eq!(row(&s, "Build")["predecessors"], "1FS+2d");
        assert_eq!(row(&s, "Build")["start"], "2027-01-20T08:00:00");
        assert_eq!(s["links"].as_array().unwrap().len(), 1);

        // Refusals name the field and store nothing.
        for (name, field, value, what) in [
            ("Design", "duration", "soon", "duration"),
            ("Build", "predecessors", "9", "there is no task 9"),
            ("Build", "predecessors", "2", "itself"),
            ("Design", "predecessors", "2", "cycle"),
            ("Test", "resources", "Nobody Here[50%]", "no resource is named Nobody Here"),
            ("Test", "start", "next week", "not a date"),
        ] {
            let body = expect_error(cell(&pm, &p, row(&s, name), field, value).await, 422, "invalid_value").await;
            let msg = body["error"]["message"].as_str().unwrap();
            assert!(msg.contains(what), "{field} {value}: {msg}");
        }
        assert_eq!(sheet(&pm, &p).await["links"], s["links"], "nothing stored");

        // A predecessors cell changed by someone else meanwhile: 412, nothing stored.
        let stale = json!({"op": "cell", "task": row(&s, "Build")["id"], "version": 0, "field": "predecessors",
            "value": "", "seen": "1"});
        expect_error(post(stale).await, 412, "version_mismatch").await;
        // A stale task version: 412.
        let old = json!({"op": "cell", "task": row(&s, "Test")["id"], "version": 0, "field": "name", "value": "Tests"});
        expect_error(post(old).await, 412, "version_mismatch").await;

        // Resources with units; a start typed becomes a start-no-earlier-than constraint.
        json_ok(pm.post(&format!("/api/v1/workspaces/{ws}/resources"), json!({"name": "Sam Support"})).await, 201)
            .await;
        let body = expect_error(cell(&pm, &p, row(&s, "Test"), "resources", "sam").await, 422, "invalid_value").await;
        assert_eq!(body["error"]["message"], "sam could be Sam Backend or Sam Support");
        json_ok(cell(&pm, &p, row(&s, "Test"), "resources", "carlos[50%], Kim QA").await, 200).await;
        let s2 = sheet(&pm, &p).await;
        json_ok(cell(&pm, &p, row(&s2, "Test"), "start", "Mon 1 Feb 2027").await, 200).await;
        let s2 = sheet(&pm, &p).await;
        let t = row(&s2, "Test");
        assert_eq!(t["resources"], "Carlos Contributor[50%], Kim QA");
        // The assignee column names the members among them (Kim QA has no account).
        assert_eq!(t["assignee"], "Carlos Contributor");
        assert_eq!((t["constraint"].as_str(), t["start"].as_str()), (Some("SNET"), Some("2027-02-01T08:00:00")));
        // A finish typed sets the duration that ends the task that day.
        json_ok(cell(&pm, &p, t, "finish", "2027-02-03").await, 200).await;
        assert_eq!(row(&sheet(&pm, &p).await, "Test")["duration"], "3 days");

        // Link and unlink; indent (a summary linked to its own subtask is a cycle).
        let s3 = sheet(&pm, &p).await;
        let linked = json_ok(
            post(json!({"op": "link", "from": row(&s3, "Build")["id"], "to": row(&s3, "Test")["id"]})).await,
            200,
        )
        .await;
        assert_eq!(row(&sheet(&pm, &p).await, "Test")["predecessors"], "2");
        json_ok(post(json!({"op": "unlink", "dependency": linked["id"]})).await, 200).await;
        let s3 = sheet(&pm, &p).await;
        assert_eq!(row(&s3, "Test")["predecessors"], "");
        let build = row(&s3, "Build").clone();
        let indent = json!({"op": "move", "task": build["id"], "version": build["version"], "how": "indent"});
        let body = expect_error(post(indent).await, 422, "invalid_value").await;
        assert_eq!(body["error"]["message"], "the dependencies form a cycle: CEL-2 Build → CEL-1 Design → CEL-2 Build");
        let test = row(&s3, "Test").clone();
        json_ok(
            post(json!({"op": "move", "task": test["id"], "version": test["version"], "how": "indent"})).await,
            200,
        )
        .await;
        let s3 = sheet(&pm, &p).await;
        assert_eq!(
            (row(&s3, "Build")["kind"].as_str(), row(&s3, "Test")["wbs"].as_str()),
            (Some("summary"), Some("2.1"))
        );
        // The task page's link form takes a task's number (or key) as typed.
        let design = row(&s3, "Design")["id"].as_str().unwrap().to_owned();
        let form = [("side", "successor"), ("other_number", "CEL-3"), ("type", "SS")];
        let r = pm.request(reqwest::Method::POST, &format!("/tasks/{design}/links")).form(&form).send().await.unwrap();
        assert!(r.status().is_redirection() || r.status().is_success(), "{}", r.status());
        assert_eq!(row(&sheet(&pm, &p).await, "Test")["predecessors"], "1SS");
        let form = [("side", "successor"), ("other_number", "99")];
        let r = pm.request(reqwest::Method::POST, &format!("/tasks/{design}/links")).form(&form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("there is no task 99 in this project"));
        expect_error(post(json!({"op": "explode"})).await, 422, "invalid_value").await;

        // The contributor on Test may change its progress only.
        let dev = app.login_as(Role::Contributor).await;
        let s4 = sheet(&dev, &p).await;
        assert_eq!(s4["can_edit"], false);
        assert_eq!(s4["progress"], json!([row(&s4, "Test")["id"]]));
        json_ok(cell(&dev, &p, row(&s4, "Test"), "percent_complete", "40").await, 200).await;
        let s4 = sheet(&dev, &p).await;
        assert_eq!(row(&s4, "Test")["percent_complete"], 40);
        for (field, value) in [("name", "Mine now"), ("predecessors", ""), ("resources", "Kim QA"), ("duration", "9d")]
        {
            expect_error(cell(&dev, &p, row(&s4, "Test"), field, value).await, 403, "forbidden").await;
        }
        expect_error(cell(&dev, &p, row(&s4, "Build"), "percent_complete", "10").await, 403, "forbidden").await;
        let stakeholder = app.login_as(Role::Stakeholder).await;
        let s5 = sheet(&stakeholder, &p).await;
        assert_eq!((s5["can_edit"].clone(), s5["progress"].clone()), (json!(false), json!([])));
        expect_error(cell(&stakeholder, &p, row(&s5, "Test"), "percent_complete", "50").await, 403, "forbidden").await;
        let add = json!({"op": "add", "after": null, "name": "Sneaky"});
        expect_error(stakeholder.post(&format!("/projects/{p}/sheet"), add).await, 403, "forbidden").await;

        // A task of another project is not found through this one.
        let demo = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["key"] == "CKT")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let other = sheet(&pm, &demo).await["rows"][0].clone();
        expect_error(cell(&pm, &p, &other, "name", "Moved").await, 404, "not_found").await;

        // Without JavaScript the task table comes in pages of 200 rows.
        let big = new_project(&pm, &ws, "Many", "MNY").await;
        for i in 0..201 {
            json_ok(pm.post(&format!("/api/v1/projects/{big}/tasks"), json!({"name": format!("Step {i}")})).await, 201)
                .await;
        }
        let first = pm.get(&format!("/projects/{big}/tasks")).await.text().await.unwrap();
        assert!(first.contains("Tasks 1–200 of 201.") && first.contains("?from=200"), "first page");
        assert!(first.contains("Step 199<") && !first.contains("Step 200<"));
        let second = pm.get(&format!("/projects/{big}/tasks?from=200")).await.text().await.unwrap();
        assert!(
            second.contains("Tasks 201–201 of 201.") && second.contains("Step 200<") && !second.contains("Step 0<")
        );
        let beyond = pm.get(&format!("/projects/{big}/tasks?from=9999")).await.text().await.unwrap();
        assert!(beyond.contains("Tasks 201–201 of 201."), "a page past the end shows the last");
        // A filtered list keeps its filter from page to page.
        let words = pm.get(&format!("/projects/{big}/tasks?q=step")).await.text().await.unwrap();
        assert!(words.contains(&format!("href=\"/projects/{big}/tasks?q=step&#38;from=200\"")), "{words}");

        // The script is revalidated on every use, so an upgrade's reaches
        // every browser: an unchanged file is a 304.
        let js = pm.get("/static/sheet.js").await;
        assert_eq!(js.status(), 200);
        assert_eq!(js.headers()["cache-control"], "no-cache");
        let tag = js.headers()["etag"].to_str().unwrap().to_owned();
        let again =
            pm.request(reqwest::Method::GET, "/static/sheet.js").header("if-none-match", &tag).send().await.unwrap();
        assert_eq!(again.status(), 304);
    })
    .await;
}

/// The workspace's task fields are the sheet's last columns: options and
/// people typed by name, checked as the API checks them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_fields_are_columns_of_the_sheet() {
    on_each_database("custom_fields_are_columns_of_the_sheet", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let p = new_project(&pm, &ws, "Cells", "CEL").await;
        json_ok(
            pm.post(&format!("/projects/{p}/sheet"), json!({"op": "add", "after": null, "name": "Build"})).await,
            200,
        )
        .await;
        let s = sheet(&pm, &p).await;
        let keys: Vec<&str> = s["fields"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["component", "reviewer"]);
        let reviewer = &s["fields"][1];
        assert_eq!(reviewer["type"], "person");
        assert!(reviewer["people"].as_object().unwrap().values().any(|n| n == "Pat Project"), "{reviewer}");

        json_ok(cell(&pm, &p, row(&s, "Build"), "cf.component", "api").await, 200).await;
        let s = sheet(&pm, &p).await;
        assert_eq!(row(&s, "Build")["cf.component"], "API");
        json_ok(cell(&pm, &p, row(&s, "Build"), "cf.reviewer", "pat project").await, 200).await;
        let s = sheet(&pm, &p).await;
        let me = json_ok(pm.get("/api/v1/me").await, 200).await["user"].clone();
        assert!(me["id"].is_string());
        assert_eq!(row(&s, "Build")["cf.reviewer"], me["id"]);
        for (field, value, named) in [
            ("cf.component", "Mainframe", "custom_fields.component"),
            ("cf.reviewer", "Nobody Here", "custom_fields.reviewer"),
            ("cf.nope", "x", "custom_fields.nope"),
        ] {
            let e = expect_error(cell(&pm, &p, row(&s, "Build"), field, value).await, 422, "invalid_value").await;
            assert_eq!(e["error"]["details"]["field"], named);
        }
        // An empty cell clears the value.
        json_ok(cell(&pm, &p, row(&s, "Build"), "cf.component", "").await, 200).await;
        let s = sheet(&pm, &p).await;
        assert!(row(&s, "Build").get("cf.component").is_none(), "{}", row(&s, "Build"));
    })
    .await;
}
