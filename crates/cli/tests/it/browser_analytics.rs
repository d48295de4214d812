//! Product analytics in the browser: the product manager reads the demo's
//! active people, retention and a funnel; makes an ingest key under the
//! product's settings (shown once, with a curl example that works), then
//! revokes it; feeds a metric from events and has a key result follow it;
//! and sees a shipped feature's adoption on its page.

use fantoccini::Locator;
use serde_json::json;
use tandem_core::Role;

use crate::browser::{choose, demo_in_browser, sign_in_as};
use crate::browser_tour::{NARROW, WIDE, set_width};
use crate::support::json_ok;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_manager_reads_analytics_and_connects_an_app() {
    let test = "a_product_manager_reads_analytics_and_connects_an_app";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let pdm = app.login_as(Role::ProductManager).await;
    let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
    let pr = products["items"][0]["id"].as_str().unwrap().to_owned();
    set_width(&b, WIDE).await;
    sign_in_as(&b, &app, Role::ProductManager).await;

    // The Analytics tab: today's figures, the charts, the cohorts.
    b.client.goto(&app.url(&format!("/products/{pr}"))).await.unwrap();
    b.click("nav.subnav a[href$='/analytics']").await;
    let figures = b.expect_text(".figures", "daily active").await;
    assert!(figures.contains("monthly active") && figures.contains("stickiness"), "{figures}");
    let api =
        json_ok(pdm.get(&format!("/api/v1/products/{pr}/analytics/active?from=2020-01-01&to=2020-01-01")).await, 200)
            .await;
    assert_eq!(api["days"][0]["dau"], 0, "the figures are read, not typed");
    let today = json_ok(pdm.get(&format!("/api/v1/products/{pr}/analytics/active")).await, 200).await;
    let mau = today["days"].as_array().unwrap().last().unwrap()["mau"].as_u64().unwrap();
    assert!(figures.contains(&mau.to_string()), "today's MAU {mau} is shown: {figures}");
    let rows = b.client.find_all(Locator::Css("table.retention tbody tr")).await.unwrap();
    assert!(rows.len() >= 6, "a row per weekly cohort");
    b.expect_text("table.retention", "100 %").await;
    b.screenshot("analytics-01-active-and-retention").await;
    set_width(&b, NARROW).await;
    b.screenshot("analytics-01-active-and-retention-narrow").await;
    set_width(&b, WIDE).await;
    b.client.execute("document.getElementById('retention').scrollIntoView()", vec![]).await.unwrap();
    b.screenshot("analytics-01b-retention").await;

    // A three-step funnel, with conversion between steps.
    choose(&b, "#funnel form", "step1", "checkout.opened").await;
    choose(&b, "#funnel form", "step2", "checkout.started").await;
    choose(&b, "#funnel form", "step3", "checkout.paid").await;
    b.click("#funnel button[type=submit]").await;
    let funnel = b.expect_text("#funnel table", "From the step before").await;
    assert!(funnel.contains("1. checkout.opened") && funnel.contains("3. checkout.paid"), "{funnel}");
    b.screenshot("analytics-02-funnel").await;
    set_width(&b, NARROW).await;
    b.client.execute("document.getElementById('funnel').scrollIntoView()", vec![]).await.unwrap();
    b.screenshot("analytics-02-funnel-narrow").await;
    set_width(&b, WIDE).await;

    // Settings: a key, shown once, with an example that sends.
    b.click("nav.subnav a[href$='/settings']").await;
    b.fill("#ingest-keys input[name=name]", "Mobile app").await;
    b.click("#ingest-keys button.primary").await;
    b.expect_text(".flash", "shown only this once").await;
    let key = b.text("#new-key").await;
    assert!(key.starts_with("tdi_"), "{key}");
    let example = b.text("#curl-example").await;
    assert!(example.contains(&app.url("/api/v1/ingest/events")) && example.contains(&key), "{example}");
    b.screenshot("analytics-03-key-made").await;
    set_width(&b, NARROW).await;
    b.screenshot("analytics-03-key-made-narrow").await;
    set_width(&b, WIDE).await;
    let sent = crate::support::client()
        .post(app.url("/api/v1/ingest/events"))
        .bearer_auth(&key)
        .json(&json!({"batch": [{"event": "signed_up", "distinct_id": "user-42"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_ok(sent, 200).await["accepted"], 1);
    // Revoking it (after the page asks) refuses what it sends.
    b.client.goto(&app.url(&format!("/products/{pr}/settings"))).await.unwrap();
    assert!(b.text("#ingest-keys table").await.contains("Mobile app"));
    b.client.execute("window.confirm = () => true", vec![]).await.unwrap();
    let revoke = "#ingest-keys tr:has(td:first-child) form[data-confirm*='Mobile app'] button";
    b.click(revoke).await;
    b.client.wait().for_element(Locator::Css("#ingest-keys")).await.unwrap();
    assert!(!b.text("#ingest-keys").await.contains("Mobile app"), "revoked keys leave the list");
    let refused = crate::support::client()
        .post(app.url("/api/v1/ingest/events"))
        .bearer_auth(&key)
        .json(&json!({"batch": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);

    // A metric fed from events, and a key result following it.
    b.click("nav.subnav a[href$='/metrics']").await;
    b.fill("form[action$='/metrics/new'] input[name=name]", "Daily payers").await;
    choose(&b, "form[action$='/metrics/new']", "kind", "dau").await;
    b.click("form[action$='/metrics/new'] input[name=values][value=events]").await;
    b.fill("form[action$='/metrics/new'] input[name=event]", "checkout.paid").await;
    b.click("form[action$='/metrics/new'] button[type=submit]").await;
    let fed = b.expect_text("main", "From events: people sending “checkout.paid”").await;
    assert!(fed.contains("Daily payers"), "{fed}");
    b.click("nav.subnav a[href$='/okrs']").await;
    b.click("section.objective details.add-kr summary").await;
    let form = "section.objective form[action$='/key-results/new']";
    b.fill(&format!("{form} input[name=metric]"), "Daily payers").await;
    b.fill(&format!("{form} input[name=baseline]"), "0").await;
    b.fill(&format!("{form} input[name=target]"), "100").await;
    let option = b
        .client
        .find(Locator::XPath(
            "//section[contains(@class,'objective')]//select[@name='metric_id']/option[starts-with(., 'Daily payers')]",
        ))
        .await
        .unwrap();
    option.click().await.unwrap();
    b.click(&format!("{form} button[type=submit]")).await;
    b.expect_text("section.objective", "Follows the metric Daily payers").await;
    b.screenshot("analytics-04-key-result-follows").await;

    // The shipped feature's page: its adoption since it shipped.
    let dash = json_ok(pdm.get(&format!("/api/v1/dashboards/product/{pr}")).await, 200).await;
    let shipped = &dash["shipped_adoption"][0];
    let fid = shipped["feature_id"].as_str().unwrap();
    b.client.goto(&app.url(&format!("/features/{fid}"))).await.unwrap();
    let adoption = b.expect_text("#adoption", "of the people active since it shipped").await;
    let percent = (shipped["rate"].as_f64().unwrap() * 100.0).round();
    assert!(adoption.contains(&format!("{percent} %")), "{percent} %: {adoption}");
    b.screenshot("analytics-05-feature-adoption").await;
    set_width(&b, NARROW).await;
    b.screenshot("analytics-05-feature-adoption-narrow").await;
    set_width(&b, WIDE).await;
    // The dashboard's recently shipped features show it too.
    b.client.goto(&app.url(&format!("/products/{pr}"))).await.unwrap();
    b.expect_text(".adoption", &format!("{percent} %")).await;

    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;
    db.destroy().await;
}
