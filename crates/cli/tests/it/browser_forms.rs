//! Pages people can trust, in the browser: a refused form stays on its page
//! with the reason beside the field and what was typed kept; a saved one
//! says so; figures read as people say them (keys, not ids; "early", not a
//! negative lateness; a summary's own progress, not its stored status).

use fantoccini::Locator;
use tandem_core::Role;

use crate::browser::{demo_in_browser, sign_in_as};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_forms_keep_what_was_typed_and_say_why_beside_the_field() {
    let test = "refused_forms_keep_what_was_typed_and_say_why_beside_the_field";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let p = app.state.store.projects_by_key(Some(ws.parse().unwrap()), "CKT").await.unwrap().remove(0).id;
    sign_in_as(&b, &app, Role::ProjectManager).await;

    // A risk with a cost that is not an amount: back on the risks page, the
    // reason beside the cost, the title still typed.
    let risks = format!("/projects/{p}/risks");
    b.client.goto(&app.url(&risks)).await.unwrap();
    b.fill("main form[data-create] input[name=title]", "Vendor API deprecation").await;
    b.fill("main form[data-create] input[name=cost_impact]", "lots").await;
    b.click("main form[data-create] button[type=submit]").await;
    b.expect_text("main form .field-error", "is not an amount").await;
    assert_eq!(b.client.current_url().await.unwrap().path(), risks);
    b.expect_text("main .alert", "Not saved").await;
    let cost = b.client.find(Locator::Css("main form input[name=cost_impact]")).await.unwrap();
    assert_eq!(cost.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    assert_eq!(cost.prop("value").await.unwrap().as_deref(), Some("lots"));
    let title = b.client.find(Locator::Css("main form input[name=title]")).await.unwrap();
    assert_eq!(title.prop("value").await.unwrap().as_deref(), Some("Vendor API deprecation"));
    b.screenshot("60-form-refused-beside-field").await;

    // Corrected (with thousands grouped, as people write them), it is
    // saved and the page says so.
    b.fill("main form input[name=cost_impact]", "12,000").await;
    b.click("main form.inline button[type=submit]").await;
    b.expect_text(".toast", "Saved.").await;
    b.expect_text("main", "Vendor API deprecation").await;
    let risk = app.state.store.risks(p).await.unwrap().into_iter().find(|r| r.title == "Vendor API deprecation");
    assert_eq!(risk.map(|r| r.cost_impact_minor), Some(1_200_000));

    // Timesheet hours are checked as hours, not minutes.
    sign_in_as(&b, &app, Role::Contributor).await;
    b.client.goto(&app.url(&format!("/w/{ws}/timesheet"))).await.unwrap();
    b.fill("#log-time input[name=hours]", "25").await;
    b.click("#log-time button[type=submit]").await;
    let reason = b.expect_text("#log-time .field-error", "hours").await;
    assert!(reason.contains("24"), "{reason}");
    assert!(!reason.contains("1440"), "{reason}");

    // Logged with a decimal comma, the row names its task; the entry is
    // corrected where it is listed, and the day holds 24 hours in all.
    b.fill("#log-time input[name=hours]", "7,5").await;
    b.click("#log-time button[type=submit]").await;
    b.expect_text(".toast", "Saved.").await;
    let sheet = b.expect_text("#timesheet tbody", "7.5").await;
    assert!(sheet.contains("CKT-") && sheet.chars().filter(|c| c.is_alphabetic()).count() > 10, "{sheet}");
    b.click("#entries summary").await;
    b.fill("#entries input[name=hours]", "6").await;
    b.click("#entries button[type=submit]").await;
    b.expect_text(".toast", "Saved.").await;
    b.expect_text("#timesheet tfoot", "6").await;
    b.fill("#log-time input[name=hours]", "20").await;
    b.click("#log-time button[type=submit]").await;
    b.expect_text("#log-time .field-error", "6 h already logged that day").await;

    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;
    db.destroy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_name_things_and_read_numbers_as_people_do() {
    let test = "pages_name_things_and_read_numbers_as_people_do";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let wsid: tandem_core::Id = ws.parse().unwrap();
    let p = app.state.store.projects_by_key(Some(wsid), "CKT").await.unwrap().remove(0).id;
    sign_in_as(&b, &app, Role::ProjectManager).await;

    // The decision log names the change request by key and title.
    b.client.goto(&app.url(&format!("/w/{ws}/decisions"))).await.unwrap();
    let log = b.expect_text("#decisions", "CKT-").await;
    assert!(!log.to_lowercase().contains("change request 1"), "{log}");
    assert!(!log.contains("product_manager"), "{log}");

    // The portfolio says early or late in days, never a negative lateness.
    b.client.goto(&app.url(&format!("/w/{ws}/portfolio"))).await.unwrap();
    let table = b.expect_text("main table", "Checkout 2027.1").await;
    assert!(table.contains(" early") || table.contains(" late") || table.contains("on the day"), "{table}");
    assert!(!table.contains('−') && !table.contains("-5"), "{table}");

    // A sprint committing more than the team can take says so.
    b.client.goto(&app.url(&format!("/projects/{p}/sprints"))).await.unwrap();
    let sprints = b.expect_text("main table", "Sprint 2").await;
    assert!(sprints.contains("over capacity (30)"), "{sprints}");

    // A summary whose subtasks are all done reads as done, whatever its
    // own stored status says.
    let api = app.login_as(Role::ProjectManager).await;
    let s: serde_json::Value = api.get(&format!("/api/v1/projects/{p}/schedule")).await.json().await.unwrap();
    let done = s["tasks"].as_array().unwrap().iter().find(|t| t["summary"] == true && t["done"] == true);
    let done = done.expect("the demo has a finished phase");
    b.client.goto(&app.url(&format!("/tasks/{}", done["id"].as_str().unwrap()))).await.unwrap();
    b.expect_text("main .status", "Done").await;
    let facts = b.text("#schedule").await;
    assert!(facts.contains("100 %"), "{facts}");

    let product = crate::browser::project_product(&app, p).await;
    // Linked feedback reads as linked in the inbox, not as triaged.
    b.client.goto(&app.url(&format!("/products/{product}/feedback"))).await.unwrap();
    assert_eq!(b.text("#inbox li[data-status=linked] .status").await, "Linked");
    // Its product manager's status menu shows it as linked too.
    sign_in_as(&b, &app, Role::ProductManager).await;
    b.client.goto(&app.url(&format!("/products/{product}/feedback"))).await.unwrap();
    let chosen = b.text("#inbox li[data-status=linked] select[name=status] option:checked").await;
    assert_eq!(chosen, "Linked");
    sign_in_as(&b, &app, Role::ProjectManager).await;

    // Monte Carlo: one bar per day (no date twice) and an S-curve on a date axis.
    b.client.goto(&app.url(&format!("/projects/{p}/monte-carlo"))).await.unwrap();
    let labels: Vec<String> = serde_json::from_value(
        b.client
            .execute(
                "return Array.from(document.querySelectorAll('main svg')[0].querySelectorAll('rect.bar title'))\
                 .map(t => t.textContent.split(':')[0])",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    let unique: std::collections::BTreeSet<&String> = labels.iter().collect();
    assert!(!labels.is_empty() && unique.len() == labels.len(), "{labels:?}");

    // Release notes and a baseline's variance are pages, with files to download.
    b.client.goto(&app.url(&format!("/projects/{p}/budget"))).await.unwrap();
    // The budget says how much of it the baseline's tasks hold, and the
    // S-curve draws it as a level line.
    b.expect_text("#budget-note", "not yet given to any task").await;
    b.expect_text("main svg", "BAC").await;
    b.click("main a[href*='/baselines/']").await;
    let variance = b.expect_text("#variance", "CKT-").await;
    assert!(!variance.contains("T08:00") && !variance.contains("{"), "{variance}");
    let csv_link = b.client.find(Locator::Css("main a[href$='variance.csv']")).await.unwrap();
    let csv = api.get(&csv_link.attr("href").await.unwrap().unwrap()).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.text().await.unwrap().starts_with("key,name,baseline_start"));
    // A duration typed as the task sheet reads it (3d) is taken on the
    // task's page too.
    let tasks = app.state.store.tasks(p).await.unwrap();
    let leaf = tasks
        .iter()
        .find(|t| {
            t.kind == tandem_core::project::TaskKind::Task
                && t.percent_complete == 0
                && !tasks.iter().any(|c| c.parent_id == Some(t.id))
        })
        .unwrap();
    b.client.goto(&app.url(&format!("/tasks/{}", leaf.id))).await.unwrap();
    b.fill("#task-form input[name=days]", "3d").await;
    b.click("#task-form button.primary").await;
    b.expect_text(".toast", "Saved.").await;
    assert_eq!(app.state.store.task(leaf.id).await.unwrap().duration_minutes, 1440);

    b.client.goto(&app.url(&format!("/products/{product}/releases"))).await.unwrap();
    b.click("main a[href$='/notes']").await;
    b.expect_text("main h1", "Release notes").await;
    let md_link = b.client.find(Locator::Css("main a[href$='/notes.md']")).await.unwrap();
    let md = api.get(&md_link.attr("href").await.unwrap().unwrap()).await;
    assert_eq!(md.status(), 200);
    assert!(md.headers()["content-type"].to_str().unwrap().starts_with("text/markdown"));

    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;
    db.destroy().await;
}

/// Saving a feature's form without changing it records nothing: no "A → A"
/// in the activity feed (browsers send a textarea's line breaks as CRLF).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_an_unchanged_feature_records_no_change() {
    let test = "saving_an_unchanged_feature_records_no_change";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let api = app.login_as(Role::ProductManager).await;
    let products =
        api.get(&format!("/api/v1/workspaces/{ws}/products")).await.json::<serde_json::Value>().await.unwrap();
    let product = products["items"][0]["id"].as_str().unwrap().to_owned();
    let features =
        api.get(&format!("/api/v1/products/{product}/features")).await.json::<serde_json::Value>().await.unwrap();
    // A feature whose description has several lines.
    let f = features["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["description"].as_str().is_some_and(|d| d.contains('\n')))
        .expect("a demo feature with a multi-line description")
        .clone();
    let before =
        api.get(&format!("/api/v1/workspaces/{ws}/activity?limit=1")).await.json::<serde_json::Value>().await.unwrap();
    sign_in_as(&b, &app, Role::ProductManager).await;
    b.client.goto(&app.url(&format!("/features/{}", f["id"].as_str().unwrap()))).await.unwrap();
    b.click("#feature-form button[type=submit]").await;
    b.expect_text(".toast", "Saved.").await;
    let after =
        api.get(&format!("/api/v1/workspaces/{ws}/activity?limit=1")).await.json::<serde_json::Value>().await.unwrap();
    assert_eq!(after["items"][0]["id"], before["items"][0]["id"], "{after}");

    // Two scores that are not numbers: one save names both, each beside
    // its own field, and keeps what was typed.
    b.fill("#feature-form input[name=rice_reach]", "lots").await;
    b.fill("#feature-form input[name=wsjf_job_size]", "big").await;
    b.click("#feature-form button[type=submit]").await;
    let top = b.expect_text("main .alert", "Not saved").await;
    assert!(top.contains("“lots”") && top.contains("“big”"), "{top}");
    for name in ["rice_reach", "wsjf_job_size"] {
        let field = b.client.find(Locator::Css(&format!("#feature-form input[name={name}]"))).await.unwrap();
        assert_eq!(field.attr("aria-invalid").await.unwrap().as_deref(), Some("true"), "{name}");
        let note = field.attr("aria-describedby").await.unwrap().unwrap();
        let text = b.client.find(Locator::Id(&note)).await.unwrap().text().await.unwrap();
        assert!(text.contains("is not a number"), "{name}: {text}");
    }
    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;
    db.destroy().await;
}
