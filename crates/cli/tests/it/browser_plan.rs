//! Building a plan in the browser: resources with their calendars, the
//! keyboard grid and the Gantt (see `browser` for the harness).

use fantoccini::Locator;
use serde_json::{Value, json};
use tandem_core::Role;

use crate::browser::{demo_in_browser, sign_in_as};

async fn ok(r: reqwest::Response, status: u16) -> Value {
    let code = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert_eq!(code, status, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// A project manager adds a person on the resources page, gives her a
/// four-day week and a holiday, and the schedule follows her calendar.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_are_added_and_given_their_calendar() {
    let test = "resources_are_added_and_given_their_calendar";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let api = app.login_as(Role::ProjectManager).await;
    let p = ok(
        api.post(
            &format!("/api/v1/workspaces/{ws}/projects"),
            json!({"name": "Crew", "key": "CRW", "start": "2027-01-04"}),
        )
        .await,
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    sign_in_as(&b, &app, Role::ProjectManager).await;
    b.client.goto(&app.url(&format!("/projects/{p}/resources"))).await.unwrap();
    b.click("#new-resource summary").await;
    b.fill("#new-resource input[name=name]", "Ana Ortiz").await;
    b.fill("#new-resource input[name=max_units]", "100").await;
    b.fill("#new-resource input[name=rate]", "90.50").await;
    b.click("#new-resource button[type=submit]").await;
    b.expect_text("#resources", "Ana Ortiz").await;
    let list = ok(api.get(&format!("/api/v1/workspaces/{ws}/resources")).await, 200).await;
    let ana = list["items"].as_array().unwrap().iter().find(|r| r["name"] == "Ana Ortiz").unwrap().clone();
    assert_eq!((ana["rate_minor"].clone(), ana["calendar"].clone()), (json!(9050), Value::Null));
    let id = ana["id"].as_str().unwrap();

    // A bad exception line is refused beside the field; nothing is stored.
    let form = format!("#edit-{id}");
    b.click(&format!("{form} summary")).await;
    b.click(&format!("{form} input[name=own_calendar]")).await;
    b.fill(&format!("{form} input[name=friday]"), "").await;
    b.fill(&format!("{form} textarea[name=exceptions]"), "2027-01-06 Epiphany\n2027-02-30 Nope").await;
    b.click(&format!("{form} button[type=submit]")).await;
    b.expect_text(&format!("{form} .e-exceptions"), "line 2").await;
    let kept = b.client.find(Locator::Css(&format!("{form} textarea[name=exceptions]"))).await.unwrap();
    assert!(kept.prop("value").await.unwrap().unwrap().contains("Nope"), "what was typed stays");
    let same = ok(api.get(&format!("/api/v1/resources/{id}")).await, 200).await;
    assert_eq!(same["calendar"], Value::Null, "nothing stored");

    // Corrected: a Monday–Thursday week with a holiday on Wednesday 6th.
    b.fill(&format!("{form} textarea[name=exceptions]"), "2027-01-06 Epiphany").await;
    b.click(&format!("{form} button[type=submit]")).await;
    b.expect_text("#resources", "own: Mon Tue Wed Thu (32 h a week), 1 exception").await;
    let saved = ok(api.get(&format!("/api/v1/resources/{id}")).await, 200).await;
    assert_eq!(saved["calendar"]["week"]["friday"], json!([]));
    assert_eq!(
        saved["calendar"]["exceptions"],
        json!([{"name": "Epiphany", "from": "2027-01-06", "to": "2027-01-06", "hours": []}])
    );

    // Four days of her work: Mon 4, Tue 5, Thu 7 and Mon 11 (Wed a holiday, Fri off).
    let t = ok(
        api.post(
            &format!("/api/v1/projects/{p}/tasks"),
            json!({"name": "Survey", "duration_minutes": 1920, "assignments": [{"resource_id": id}]}),
        )
        .await,
        201,
    )
    .await;
    let s = ok(api.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
    let row = s["tasks"].as_array().unwrap().iter().find(|r| r["id"] == t["id"]).unwrap().clone();
    assert_eq!(
        (row["start"].as_str(), row["finish"].as_str()),
        (Some("2027-01-04T08:00:00"), Some("2027-01-11T17:00:00"))
    );
    b.screenshot("52-resources").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("52-resources-390").await;
    b.client.set_window_size(1440, 900).await.unwrap();

    // A contributor sees the resources but no form.
    sign_in_as(&b, &app, Role::Contributor).await;
    b.client.goto(&app.url(&format!("/projects/{p}/resources"))).await.unwrap();
    b.expect_text("#resources", "Ana Ortiz").await;
    assert!(b.client.find(Locator::Css("#resource-forms")).await.is_err(), "forms shown to a contributor");
    b.close().await;
    db.destroy().await;
}
