//! Custom fields: defined per workspace and kind of object by whoever runs
//! that side, carried by the objects as `custom_fields {key: value}` in
//! reads and writes, checked by type (a bad value is a 422 naming the
//! field), kept through a rename, deleted with their values and logged,
//! and found by search.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, OUTSIDER, expect_error, json_ok, on_each_database, other_workspace};

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn field(api: &Api, ws: &str, body: Value) -> Value {
    json_ok(api.post(&format!("/api/v1/workspaces/{ws}/custom-fields"), body).await, 201).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_fields_are_typed_kept_through_renames_and_deleted_with_their_values() {
    on_each_database("custom_fields", |app| async move {
        let ws = app.seed_demo().await;
        let (pm, pdm, dev, admin) = (
            app.login_as(Role::ProjectManager).await,
            app.login_as(Role::ProductManager).await,
            app.login_as(Role::Contributor).await,
            app.login_as(Role::Admin).await,
        );
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let product = id_of(&products["items"][0]);
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let project = id_of(&projects["items"][0]);
        let fields_url = format!("/api/v1/workspaces/{ws}/custom-fields");

        // Each side's manager defines fields on their own side's objects.
        let tier = field(
            &pdm,
            &ws,
            json!({"object": "feature", "name": "Support plan", "type": "select",
                   "options": ["Gold", "Silver"], "required": true}),
        )
        .await;
        assert_eq!((tier["key"].as_str(), tier["type"].as_str()), (Some("support_plan"), Some("select")));
        let arr = field(&pdm, &ws, json!({"object": "feature", "key": "arr", "name": "ARR", "type": "number"})).await;
        let tags = field(
            &pdm,
            &ws,
            json!({"object": "feature", "key": "tags", "name": "Tags", "type": "multi_select",
                   "options": ["quokka", "web", "api"]}),
        )
        .await;
        field(&pdm, &ws, json!({"object": "feature", "key": "spec_link", "name": "Spec link", "type": "url"})).await;
        field(&pdm, &ws, json!({"object": "feature", "key": "review_on", "name": "Review on", "type": "date"})).await;
        field(&pm, &ws, json!({"object": "task", "key": "qa_reviewer", "name": "QA reviewer", "type": "person"})).await;
        field(&pm, &ws, json!({"object": "risk", "key": "risk_area", "name": "Risk area", "type": "text"})).await;
        field(&pm, &ws, json!({"object": "defect", "key": "found_by", "name": "Found by", "type": "text"})).await;
        field(&pdm, &ws, json!({"object": "feedback", "key": "heard_via", "name": "Heard via", "type": "text"})).await;
        expect_error(
            pm.post(&fields_url, json!({"object": "feature", "name": "X", "type": "text"})).await,
            403,
            "forbidden",
        )
        .await;
        expect_error(
            dev.post(&fields_url, json!({"object": "task", "name": "X", "type": "text"})).await,
            403,
            "forbidden",
        )
        .await;
        // Bad definitions name what is wrong and store nothing.
        for (body, field_name) in [
            (json!({"object": "feature", "key": "Bad Key", "name": "X", "type": "text"}), "key"),
            (json!({"object": "feature", "name": " ", "type": "text"}), "name"),
            (json!({"object": "feature", "name": "Pick", "type": "select"}), "options"),
            (json!({"object": "feature", "name": "T", "type": "text", "options": ["a"]}), "options"),
            (json!({"object": "feature", "name": "P", "type": "select", "options": ["a", "A"]}), "options"),
        ] {
            let e = expect_error(admin.post(&fields_url, body).await, 422, "invalid_value").await;
            assert_eq!(e["error"]["details"]["field"], field_name);
        }
        expect_error(
            admin.post(&fields_url, json!({"object": "feature", "key": "arr", "name": "Again", "type": "text"})).await,
            409,
            "conflict",
        )
        .await;
        // Every member reads the definitions; `object` narrows.
        let listed = json_ok(dev.get(&format!("{fields_url}?object=feature")).await, 200).await;
        let keys: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
        // The demo's own two first.
        assert_eq!(keys, ["customer_tier", "spec", "support_plan", "arr", "tags", "spec_link", "review_on"]);
        expect_error(dev.get(&format!("{fields_url}?object=epic")).await, 422, "invalid_value").await;

        // A new feature must fill the required field; values are checked
        // by type and stored in their canonical form.
        let features = format!("/api/v1/products/{product}/features");
        let e = expect_error(pdm.post(&features, json!({"title": "Offline mode"})).await, 422, "invalid_value").await;
        assert_eq!(e["error"]["details"]["field"], "custom_fields.support_plan");
        for (values, bad) in [
            (json!({"support_plan": "Bronze"}), "custom_fields.support_plan"),
            (json!({"support_plan": "Gold", "arr": "lots"}), "custom_fields.arr"),
            (json!({"support_plan": "Gold", "tags": ["desktop"]}), "custom_fields.tags"),
            (json!({"support_plan": "Gold", "spec_link": "javascript:alert(1)"}), "custom_fields.spec_link"),
            (json!({"support_plan": "Gold", "review_on": "next week"}), "custom_fields.review_on"),
            (json!({"support_plan": "Gold", "nope": 1}), "custom_fields.nope"),
        ] {
            let body = json!({"title": "Offline mode", "custom_fields": values});
            let e = expect_error(pdm.post(&features, body).await, 422, "invalid_value").await;
            assert_eq!(e["error"]["details"]["field"], bad, "{values}");
        }
        let before = json_ok(pdm.get(&features).await, 200).await["items"].as_array().unwrap().len();
        let made = json_ok(
            pdm.post(
                &features,
                json!({"title": "Offline mode", "custom_fields": {
                    "support_plan": "gold", "arr": "1,250,000", "tags": ["web", "quokka", "web"],
                    "spec_link": "https://specs.example/offline", "review_on": "2027-01-15"}}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(
            made["custom_fields"],
            json!({"support_plan": "Gold", "arr": 1_250_000, "tags": ["quokka", "web"],
                   "spec_link": "https://specs.example/offline", "review_on": "2027-01-15"})
        );
        assert_eq!(json_ok(pdm.get(&features).await, 200).await["items"].as_array().unwrap().len(), before + 1);
        let feature = format!("/api/v1/features/{}", id_of(&made));
        let listed = json_ok(pdm.get(&features).await, 200).await;
        let row = listed["items"].as_array().unwrap().iter().find(|f| f["id"] == made["id"]).unwrap().clone();
        assert_eq!(row["custom_fields"], made["custom_fields"]);

        // An edit changes only what it names; null clears; a required
        // value cannot be cleared; a bad value changes nothing.
        let edited = json_ok(
            pdm.patch(&feature, json!({"custom_fields": {"arr": 99.5, "spec_link": null}, "version": 1})).await,
            200,
        )
        .await;
        assert_eq!(edited["custom_fields"]["arr"], 99.5);
        assert!(edited["custom_fields"].get("spec_link").is_none());
        assert_eq!(edited["custom_fields"]["support_plan"], "Gold");
        let e = expect_error(
            pdm.patch(&feature, json!({"custom_fields": {"support_plan": null}, "version": 2})).await,
            422,
            "invalid_value",
        )
        .await;
        assert_eq!(e["error"]["details"]["field"], "custom_fields.support_plan");
        expect_error(
            pdm.patch(&feature, json!({"title": "Renamed", "custom_fields": {"arr": "x"}, "version": 2})).await,
            422,
            "invalid_value",
        )
        .await;
        let now = json_ok(pdm.get(&feature).await, 200).await;
        assert_eq!((now["title"].as_str(), now["version"].as_i64()), (Some("Offline mode"), Some(2)));
        expect_error(
            pdm.patch(&feature, json!({"custom_fields": {"arr": 1}, "version": 1})).await,
            412,
            "version_mismatch",
        )
        .await;

        // Renaming a field (key and name) keeps its values.
        let tier_url = format!("/api/v1/custom-fields/{}", id_of(&tier));
        let renamed =
            json_ok(pdm.patch(&tier_url, json!({"key": "plan", "name": "Plan", "version": 1})).await, 200).await;
        assert_eq!(renamed["key"], "plan");
        let now = json_ok(pdm.get(&feature).await, 200).await;
        assert_eq!(now["custom_fields"]["plan"], "Gold");
        assert!(now["custom_fields"].get("support_plan").is_none());
        // The type stays; an option in use stays.
        expect_error(pdm.patch(&tier_url, json!({"type": "text", "version": 2})).await, 422, "invalid_value").await;
        let e = expect_error(pdm.patch(&tier_url, json!({"options": ["Silver"], "version": 2})).await, 409, "conflict")
            .await;
        assert!(e["error"]["message"].as_str().unwrap().contains("Gold"), "{e}");
        json_ok(pdm.patch(&tier_url, json!({"options": ["Gold", "Silver", "Bronze"], "version": 2})).await, 200).await;
        expect_error(pdm.patch(&tier_url, json!({"name": "x", "version": 1})).await, 412, "version_mismatch").await;

        // Search finds objects by their values.
        let found = json_ok(pdm.get("/api/v1/search?q=specs.example").await, 200).await;
        assert!(found["items"].as_array().unwrap().is_empty(), "a cleared value is not found: {found}");
        let found = json_ok(pdm.get("/api/v1/search?q=quokka&type=feature").await, 200).await;
        assert!(found["items"].as_array().unwrap().iter().any(|i| i["id"] == made["id"]), "{found}");

        // A person field takes a member of the workspace only.
        let me = json_ok(dev.get("/api/v1/me").await, 200).await["user"].clone();
        assert!(me["id"].is_string());
        let tasks = format!("/api/v1/projects/{project}/tasks");
        let e = expect_error(
            pm.post(&tasks, json!({"name": "Review", "custom_fields": {"qa_reviewer": "999999"}})).await,
            422,
            "invalid_value",
        )
        .await;
        assert_eq!(e["error"]["details"]["field"], "custom_fields.qa_reviewer");
        let task = json_ok(
            pm.post(&tasks, json!({"name": "Review", "custom_fields": {"qa_reviewer": me["id"].clone()}})).await,
            201,
        )
        .await;
        assert_eq!(task["custom_fields"]["qa_reviewer"], me["id"]);
        let all = json_ok(pm.get(&tasks).await, 200).await;
        let listed = all["items"].as_array().unwrap().iter().find(|t| t["id"] == task["id"]).unwrap().clone();
        assert_eq!(listed["custom_fields"]["qa_reviewer"], me["id"]);

        // CSV exports carry them as their last columns, a person by name.
        let csv = pm.get(&format!("/api/v1/projects/{project}/tasks.csv")).await.text().await.unwrap();
        let header = csv.lines().next().unwrap();
        assert!(header.ends_with(",Component,Reviewer,QA reviewer"), "{header}");
        let row = csv.lines().find(|l| l.contains(",Review,")).unwrap();
        assert!(row.ends_with(me["name"].as_str().unwrap()), "{row}");
        let csv = pdm.get(&format!("/api/v1/products/{product}/features.csv")).await.text().await.unwrap();
        assert!(csv.lines().next().unwrap().contains(",Plan,ARR,Tags,"), "{csv}");
        assert!(
            csv.lines().any(|l| l.contains("Offline mode") && l.contains("Gold") && l.contains("\"quokka, web\"")),
            "{csv}"
        );

        // Risks, defects and feedback carry theirs too.
        let risk = json_ok(
            pm.post(
                &format!("/api/v1/projects/{project}/risks"),
                json!({"title": "Vendor", "probability": 2, "impact": 2, "custom_fields": {"risk_area": "Payments"}}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(risk["custom_fields"]["risk_area"], "Payments");
        let risk_url = format!("/api/v1/risks/{}", id_of(&risk));
        let risk =
            json_ok(pm.patch(&risk_url, json!({"custom_fields": {"risk_area": "Billing"}, "version": 1})).await, 200)
                .await;
        assert_eq!(risk["custom_fields"]["risk_area"], "Billing");
        let defect = json_ok(
            dev.post(
                &format!("/api/v1/projects/{project}/defects"),
                json!({"title": "Crash", "custom_fields": {"found_by": "QA"}}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(defect["custom_fields"]["found_by"], "QA");
        let fb = json_ok(
            pdm.post(
                &format!("/api/v1/products/{product}/feedback"),
                json!({"text": "Please add dark mode", "custom_fields": {"heard_via": "Intercom"}}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(fb["custom_fields"]["heard_via"], "Intercom");
        let inbox = json_ok(pdm.get(&format!("/api/v1/products/{product}/feedback")).await, 200).await;
        let row = inbox["items"].as_array().unwrap().iter().find(|f| f["id"] == fb["id"]).unwrap().clone();
        assert_eq!(row["custom_fields"]["heard_via"], "Intercom");

        // A feature made of feedback in one step is linked to it.
        let made = json_ok(pdm.post(&format!("/api/v1/feedback/{}/feature", id_of(&fb)), json!({})).await, 201).await;
        assert_eq!(made["feature"]["title"], "Please add dark mode");
        assert!(made["feature"]["description"].as_str().unwrap().contains("> Please add dark mode"));
        assert_eq!(made["feature"]["feedback_count"], 1);
        assert_eq!(made["feedback"]["status"], "linked");
        assert_eq!(made["feedback"]["links"][0]["feature_id"], made["feature"]["id"]);
        expect_error(dev.post(&format!("/api/v1/feedback/{}/feature", id_of(&fb)), json!({})).await, 403, "forbidden")
            .await;

        // Deleting a field deletes its values and is logged with their count.
        let arr_url = format!("/api/v1/custom-fields/{}", id_of(&arr));
        expect_error(dev.delete(&arr_url).await, 403, "forbidden").await;
        assert_eq!(pdm.delete(&arr_url).await.status(), 204);
        expect_error(pdm.get(&arr_url).await, 404, "not_found").await;
        let now = json_ok(pdm.get(&feature).await, 200).await;
        assert!(now["custom_fields"].get("arr").is_none(), "{now}");
        let log = json_ok(admin.get(&format!("/api/v1/workspaces/{ws}/activity")).await, 200).await;
        let gone = log["items"].as_array().unwrap().iter().find(|a| a["action"] == "custom_field.deleted").unwrap();
        assert_eq!((gone["before"]["name"].as_str(), gone["before"]["values"].as_i64()), (Some("ARR"), Some(1)));

        // A deleted object takes its values with it (no value outlives it).
        let tags_url = format!("/api/v1/custom-fields/{}", id_of(&tags));
        assert_eq!(pdm.delete(&feature).await.status(), 204);
        let e = json_ok(pdm.patch(&tags_url, json!({"options": ["api"], "version": 1})).await, 200).await;
        assert_eq!(e["options"], json!(["api"]));

        // Outsiders see none of it.
        other_workspace(&app).await;
        let outsider = app.login(OUTSIDER.0, OUTSIDER.1).await;
        expect_error(outsider.get(&fields_url).await, 404, "not_found").await;
        expect_error(outsider.get(&tier_url).await, 404, "not_found").await;
        expect_error(outsider.patch(&tier_url, json!({"name": "x", "version": 3})).await, 404, "not_found").await;
    })
    .await;
}
