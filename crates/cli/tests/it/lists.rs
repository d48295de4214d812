//! Filters, grouping and order of list pages as their address carries
//! them, and saving an address as a view: read as a person reads the page.

use tandem_core::Role;

use crate::support::{Api, json_ok, on_each_database};

async fn page(api: &Api, path: &str) -> (u16, String) {
    let r = api.get(path).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// How many rows of `table` with ids starting `prefix` the page shows.
fn rows(html: &str, prefix: &str) -> usize {
    html.matches(&format!("<tr id=\"{prefix}")).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_filter_sort_and_group_by_their_address() {
    on_each_database("list_pages_filter_sort_and_group", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let projects = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/projects")).await, 200).await;
        let p = projects["items"].as_array().unwrap().iter().find(|p| p["key"] == "CKT").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let risks = json_ok(pm.get(&format!("/api/v1/projects/{p}/risks")).await, 200).await;
        let all = risks["items"].as_array().unwrap().len();
        assert!(all >= 3);

        let (status, html) = page(&pm, &format!("/projects/{p}/risks")).await;
        assert_eq!(status, 200);
        assert_eq!(rows(&html, "risk-"), all);
        // A score range narrows; the heat map still counts the register.
        let high = risks["items"].as_array().unwrap().iter().filter(|r| r["score"].as_i64().unwrap() >= 10).count();
        let (_, html) = page(&pm, &format!("/projects/{p}/risks?score=10..")).await;
        assert_eq!(rows(&html, "risk-"), high, "{html}");
        assert!(html.contains(&format!("{high} of {all} risks")));
        // Sorting puts the lowest score first; grouping heads the groups.
        let (_, html) = page(&pm, &format!("/projects/{p}/risks?sort=score&group=response")).await;
        assert!(html.contains("class=\"group-head\""));
        // Custom fields filter too, and a word.
        let vault = risks["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                let words = format!("{} {} {}", r["title"], r["description"], r["mitigation"]).to_lowercase();
                words.contains("vault")
            })
            .count();
        assert!(vault > 0 && vault < all);
        let (_, html) = page(&pm, &format!("/projects/{p}/risks?cf.area=Payments&q=vault")).await;
        assert_eq!(rows(&html, "risk-"), vault, "{html}");
        let (_, html) = page(&pm, &format!("/projects/{p}/risks?cf.area=Billing")).await;
        assert_eq!(rows(&html, "risk-"), 0);
        let (_, html) = page(&pm, &format!("/projects/{p}/risks?status=closed")).await;
        assert!(html.contains("No risks match"));
        // A field the page does not know is refused, naming it.
        let (status, html) = page(&pm, &format!("/projects/{p}/risks?colour=red")).await;
        assert_eq!(status, 422);
        assert!(html.contains("Colour: is not a field of this list"), "{html}");

        // The backlog: a framework still sorts it; any field may too;
        // custom fields filter and group.
        let pdm = app.login_as(Role::ProductManager).await;
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let pr = products["items"][0]["id"].as_str().unwrap().to_owned();
        let features = json_ok(pdm.get(&format!("/api/v1/products/{pr}/features")).await, 200).await;
        let features = features["items"].as_array().unwrap().clone();
        let smb = features.iter().filter(|f| f["custom_fields"]["customer_tier"] == "SMB").count();
        let ideas = features.iter().filter(|f| f["status"] == "idea").count();
        assert!(smb > 0 && ideas > 0);
        let (status, html) = page(&pdm, &format!("/products/{pr}/backlog?sort=rice")).await;
        assert_eq!(status, 200);
        assert_eq!(html.matches("<tr data-id=").count(), features.len());
        let (_, html) = page(&pdm, &format!("/products/{pr}/backlog?cf.customer_tier=SMB&sort=-created")).await;
        assert_eq!(html.matches("<tr data-id=").count(), smb, "{html}");
        let (_, html) = page(&pdm, &format!("/products/{pr}/backlog?group=cf.customer_tier")).await;
        for tier in ["Enterprise", "Mid-market", "SMB"] {
            assert!(html.contains(&format!("scope=\"rowgroup\">{tier}</th>")), "{tier}");
        }
        // The inbox: by source, grouped by a custom field.
        let (status, html) = page(&pdm, &format!("/products/{pr}/feedback?source=customer&group=cf.channel")).await;
        assert_eq!(status, 200);
        assert!(html.contains("<li class=\"group-head\"><h2>Sales call</h2>"), "{html}");
        // Defects by severity.
        let (status, _) = page(&pm, &format!("/projects/{p}/defects?severity=critical,major&sort=-severity")).await;
        assert_eq!(status, 200);

        // Saving the address as a view lists it on the page, for its owner
        // (and for everyone when shared).
        let form = [
            ("page", "backlog"),
            ("name", "Ideas to shape"),
            ("query", "status=idea&sort=-created"),
            ("return_to", &format!("/products/{pr}/backlog")),
        ];
        let r = pdm.request(reqwest::Method::POST, &format!("/w/{ws}/views")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.url().query().unwrap_or("").contains("status=idea"), "{}", r.url());
        let html = r.text().await.unwrap();
        assert!(html.contains("Ideas to shape"));
        assert_eq!(html.matches("<tr data-id=").count(), ideas);
        let (_, html) = page(&pm, &format!("/products/{pr}/backlog")).await;
        assert!(!html.contains("Ideas to shape"), "a private view is its owner's");
        // The palette jumps to it, on each product's backlog.
        let found = json_ok(pdm.get("/search.json?q=ideas").await, 200).await;
        let url = format!("/products/{pr}/backlog?status=idea&sort=-created");
        assert!(found["pages"].as_array().unwrap().iter().any(|p| p["url"] == url.as_str()), "{found}");
        let found = json_ok(pm.get("/search.json?q=ideas").await, 200).await;
        assert!(!found["pages"].as_array().unwrap().iter().any(|p| p["url"] == url.as_str()), "{found}");
        // Its maker deletes it from the page; the list stays.
        let (_, html) = page(&pdm, &url).await;
        let action = html.split("action=\"/views/").nth(1).and_then(|s| s.split('/').next()).unwrap().to_owned();
        let gone = [("return_to", format!("/products/{pr}/backlog"))];
        let r = pm.request(reqwest::Method::POST, &format!("/views/{action}/delete")).form(&gone).send().await.unwrap();
        assert_eq!(r.status(), 404, "another's private view is not found");
        let r =
            pdm.request(reqwest::Method::POST, &format!("/views/{action}/delete")).form(&gone).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(!r.text().await.unwrap().contains("Ideas to shape"));

        // Bulk actions on the inbox: all or none.
        let mut fresh = Vec::new();
        for text in ["Bulk one", "Bulk two"] {
            let body = serde_json::json!({"text": text});
            let made = json_ok(pdm.post(&format!("/api/v1/products/{pr}/feedback"), body).await, 201).await;
            fresh.push(made["id"].as_str().unwrap().to_owned());
        }
        let bulk = format!("/api/v1/products/{pr}/feedback/bulk");
        let r = json_ok(pdm.post(&bulk, serde_json::json!({"ids": fresh[..2], "action": "triage"})).await, 200).await;
        assert_eq!(r["changed"], 2);
        for id in &fresh[..2] {
            assert_eq!(json_ok(pdm.get(&format!("/api/v1/feedback/{id}")).await, 200).await["status"], "triaged");
        }
        let feature = features[0]["id"].as_str().unwrap();
        let dev = app.login_as(Role::Contributor).await;
        crate::support::expect_error(
            dev.post(&bulk, serde_json::json!({"ids": fresh[..1], "action": "archive"})).await,
            403,
            "forbidden",
        )
        .await;
        // One item of another product spoils the batch: nothing changes.
        let r = pdm.post(&bulk, serde_json::json!({"ids": [fresh[0].clone(), "999999"], "action": "archive"})).await;
        assert_eq!(r.status(), 404);
        assert_eq!(json_ok(pdm.get(&format!("/api/v1/feedback/{}", fresh[0])).await, 200).await["status"], "triaged");
        // The inbox's form links the ticked ones.
        let form = [
            ("ids", fresh[0].as_str()),
            ("ids", fresh[1].as_str()),
            ("action", "link"),
            ("feature_id", feature),
            ("return_to", &format!("/products/{pr}/feedback")),
        ];
        let r = pdm
            .request(reqwest::Method::POST, &format!("/products/{pr}/feedback/bulk"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        for id in &fresh[..2] {
            let f = json_ok(pdm.get(&format!("/api/v1/feedback/{id}")).await, 200).await;
            assert_eq!((f["status"].as_str(), f["links"][0]["feature_id"].as_str()), (Some("linked"), Some(feature)));
        }

        // The board: filtered by assignee (`me`), sprint and custom fields;
        // ticked cards move to a sprint or a status at once.
        let dev = app.login_as(Role::Contributor).await;
        let tasks = json_ok(pm.get(&format!("/api/v1/projects/{p}/tasks?limit=200")).await, 200).await;
        let tasks = tasks["items"].as_array().unwrap().clone();
        let (status, html) = page(&pm, &format!("/projects/{p}/board")).await;
        assert_eq!(status, 200);
        let cards = html.matches("<article class=\"card-item").count();
        let (_, html) = page(&pm, &format!("/projects/{p}/board?cf.component=Payments")).await;
        let payments = html.matches("<article class=\"card-item").count();
        assert!(payments > 0 && payments < cards, "{payments} of {cards}");
        assert!(html.contains("cards hidden by the filter"));
        // Grouped, the board is a swimlane per value, hiding nothing.
        let (_, html) = page(&pm, &format!("/projects/{p}/board?group=cf.component")).await;
        assert_eq!(html.matches("<article class=\"card-item").count(), cards, "lanes hide nothing");
        let lane = html.split("<h2 class=\"lane-head\">Payments").nth(1).expect("a Payments lane");
        let lane = lane.split("lane-head").next().unwrap_or_default();
        assert_eq!(lane.matches("<article class=\"card-item").count(), payments);
        assert!(html.contains("<h2 class=\"lane-head\">None"), "cards without a component have a lane");
        let (_, mine) = page(&dev, &format!("/projects/{p}/board?assignee=me")).await;
        assert!(mine.matches("<article class=\"card-item").count() < cards);
        let sprint = json_ok(
            pm.post(
                &format!("/api/v1/projects/{p}/sprints"),
                serde_json::json!({"name": "Bulk sprint", "start": "2027-03-01", "finish": "2027-03-12"}),
            )
            .await,
            201,
        )
        .await;
        let sprint_id = sprint["id"].as_str().unwrap().to_owned();
        let open: Vec<String> = tasks
            .iter()
            .filter(|t| t["kind"] == "task" && t["status"] == "todo")
            .take(2)
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(open.len(), 2);
        let bulk = format!("/api/v1/projects/{p}/tasks/bulk");
        let r = json_ok(
            pm.post(&bulk, serde_json::json!({"ids": open, "action": "sprint", "sprint_id": sprint_id})).await,
            200,
        )
        .await;
        assert_eq!(r["changed"], 2);
        let (_, html) = page(&pm, &format!("/projects/{p}/board?sprint={sprint_id}")).await;
        assert_eq!(html.matches("<article class=\"card-item").count(), 2);
        crate::support::expect_error(
            dev.post(&bulk, serde_json::json!({"ids": open, "action": "status", "status": "done"})).await,
            403,
            "forbidden",
        )
        .await;
        // Done means 100 %, as on a single edit; the page's form does it too.
        let form = [
            ("ids", open[0].as_str()),
            ("ids", open[1].as_str()),
            ("action", "status"),
            ("status", "done"),
            ("return_to", &format!("/projects/{p}/board")),
        ];
        let r =
            pm.request(reqwest::Method::POST, &format!("/projects/{p}/tasks/bulk")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 200);
        for id in &open {
            let t = json_ok(pm.get(&format!("/api/v1/tasks/{id}")).await, 200).await;
            assert_eq!((t["status"].as_str(), t["percent_complete"].as_i64()), (Some("done"), Some(100)), "{t}");
            assert_eq!(t["sprint_id"].as_str(), Some(sprint_id.as_str()));
        }
        // The task list's sheet takes the same address.
        let (status, html) = page(&pm, &format!("/projects/{p}/tasks?sprint={sprint_id}")).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("sheet.json?sprint={sprint_id}")), "the sheet reads the filter");
        let sheet =
            json_ok(pm.get(&format!("/projects/{p}/sheet.json?sprint={sprint_id}&sort=-points")).await, 200).await;
        let ids: Vec<&str> = sheet["rows"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 2);
        assert!(open.iter().all(|o| ids.contains(&o.as_str())));
        let whole = json_ok(pm.get(&format!("/projects/{p}/sheet.json")).await, 200).await;
        assert_eq!(whole["rows"].as_array().unwrap().len(), tasks.len());

        // A task of another project spoils the batch.
        let r = pm.post(&bulk, serde_json::json!({"ids": [open[0].clone(), "999999"], "action": "sprint"})).await;
        assert_eq!(r.status(), 404);
        assert_eq!(json_ok(pm.get(&format!("/api/v1/tasks/{}", open[0])).await, 200).await["sprint_id"], sprint["id"]);
    })
    .await;
}
