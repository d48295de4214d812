//! Product analytics through the API: a product's owner makes an ingest
//! key; events arrive with it (Tandem's batch and Segment's calls), each
//! bad one rejected alone, repeats counted once; active people per day come
//! out as worked by hand, on the workspace's calendar days; the key reads
//! nothing and dies when revoked.

use serde_json::{Value, json};
use tandem_core::{Millis, Role};

use crate::support::{Api, TestApp, expect_error, json_ok, on_each_database};

fn at(s: &str) -> Millis {
    Millis(s.parse::<jiff::Timestamp>().unwrap().as_millisecond())
}

async fn send(app: &TestApp, path: &str, auth: &str, body: Value) -> reqwest::Response {
    crate::support::client()
        .post(app.url(&format!("/api/v1/ingest/{path}")))
        .header("authorization", auth)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn ev(event: &str, who: &str, when: &str) -> Value {
    json!({"event": event, "distinct_id": who, "timestamp": when})
}

/// A product of its own, without the demo product's events.
pub async fn quiet_product(pdm: &Api, ws: &str) -> String {
    let body = json!({"name": "Quiet app", "key": "QUI"});
    let p = json_ok(pdm.post(&format!("/api/v1/workspaces/{ws}/products"), body).await, 201).await;
    p["id"].as_str().unwrap().to_owned()
}

async fn days(api: &Api, pr: &str, query: &str) -> Vec<(String, u64, u64, u64)> {
    let r = json_ok(api.get(&format!("/api/v1/products/{pr}/analytics/active?{query}")).await, 200).await;
    r["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let n = |k: &str| d[k].as_u64().unwrap();
            (d["date"].as_str().unwrap().to_owned(), n("dau"), n("wau"), n("mau"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_come_in_with_a_key_and_active_people_come_out() {
    on_each_database("events_come_in_with_a_key_and_active_people_come_out", |app| async move {
        app.clock.set(at("2027-02-01T12:00:00Z"));
        let ws = app.seed_demo().await;
        let pdm = app.login_as(Role::ProductManager).await;
        let dev = app.login_as(Role::Contributor).await;
        let pr = quiet_product(&pdm, &ws).await;

        // Keys: made by the owner, the secret shown once.
        let keys = format!("/api/v1/products/{pr}/ingest-keys");
        expect_error(dev.post(&keys, json!({"name": "web"})).await, 403, "forbidden").await;
        let made = json_ok(pdm.post(&keys, json!({"name": "Web app"})).await, 201).await;
        let key = made["key"].as_str().unwrap().to_owned();
        assert!(key.starts_with("tdi_") && made["prefix"].as_str().is_some_and(|p| key.starts_with(p)), "{made}");
        let list = json_ok(pdm.get(&keys).await, 200).await;
        assert_eq!(list["items"][0]["name"], "Web app");
        assert!(!list.to_string().contains(&key), "the secret is never listed");
        let bearer = format!("Bearer {key}");

        // A batch: bad events rejected alone, the rest kept, a uuid once.
        let batch = json!({"batch": [
            ev("signed_up", "ana", "2027-01-10T09:00:00Z"),
            {"distinct_id": "ana"},
            ev("signed_up", "", "2027-01-10T09:00:00Z"),
            ev("signed_up", &"x".repeat(201), "2027-01-10T09:00:00Z"),
            ev("signed_up", "ana", "2027-03-10T09:00:00Z"),
            ev("signed_up", "ana", "2024-01-10T09:00:00Z"),
            {"event": "opened", "distinct_id": "ana", "timestamp": "2027-01-10T10:00:00Z", "uuid": "e-1"},
            {"event": "opened", "distinct_id": "ana", "timestamp": "2027-01-10T10:00:00Z", "uuid": "e-1"},
            "not an event",
        ]});
        let r = json_ok(send(&app, "events", &bearer, batch).await, 200).await;
        assert_eq!((r["accepted"].clone(), r["duplicates"].clone()), (json!(2), json!(1)), "{r}");
        let codes: Vec<(u64, &str)> = r["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["index"].as_u64().unwrap(), x["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            codes,
            [
                (1, "missing_event"),
                (2, "missing_distinct_id"),
                (3, "too_long"),
                (4, "timestamp_in_future"),
                (5, "timestamp_too_old"),
                (8, "not_an_object")
            ]
        );
        // The same uuid in a later batch is a duplicate too.
        let again = json!({"batch": [{"event": "opened", "distinct_id": "ana", "timestamp": "2027-01-10T10:00:00Z", "uuid": "e-1"}]});
        let r = json_ok(send(&app, "events", &bearer, again).await, 200).await;
        assert_eq!((r["accepted"].clone(), r["duplicates"].clone()), (json!(0), json!(1)));

        // A worked month: ana on 10 and 13 Jan, ben on 13 Jan, cy on 20 Jan
        // and on 9 Feb's eve; by hand, 13 Jan: DAU 2, WAU 2, MAU 2; 16 Jan:
        // DAU 0, WAU 2; 17 Jan: WAU 2 (10 Jan is 7 days back: out); 20 Jan:
        // DAU 1, WAU 1 (13 Jan is 7 days back), MAU 3; 9 Feb: MAU 3 (10 Jan
        // out, 13 Jan in).
        let month = json!({"batch": [
            ev("opened", "ana", "2027-01-13T08:00:00Z"),
            ev("opened", "ben", "2027-01-13T20:00:00Z"),
            ev("paid", "ben", "2027-01-13T20:05:00Z"),
            ev("opened", "cy", "2027-01-20T12:00:00Z"),
            ev("opened", "cy", "2027-01-31T23:30:00Z"),
        ]});
        json_ok(send(&app, "events", &bearer, month).await, 200).await;
        let got = days(&pdm, &pr, "from=2027-01-10&to=2027-02-09").await;
        let on = |d: &str| got.iter().find(|x| x.0 == d).cloned().unwrap();
        assert_eq!(on("2027-01-10"), ("2027-01-10".into(), 1, 1, 1));
        assert_eq!(on("2027-01-13"), ("2027-01-13".into(), 2, 2, 2));
        assert_eq!(on("2027-01-16"), ("2027-01-16".into(), 0, 2, 2));
        assert_eq!(on("2027-01-17"), ("2027-01-17".into(), 0, 2, 2));
        assert_eq!(on("2027-01-20"), ("2027-01-20".into(), 1, 1, 3));
        assert_eq!(on("2027-01-31"), ("2027-01-31".into(), 1, 1, 3));
        assert_eq!(on("2027-02-09"), ("2027-02-09".into(), 0, 0, 3));
        assert_eq!(got.len(), 31);
        // One event's people: only ben paid.
        let paid = days(&pdm, &pr, "from=2027-01-13&to=2027-01-13&event=paid").await;
        assert_eq!(paid, [("2027-01-13".to_owned(), 1, 1, 1)]);
        assert_eq!(days(&pdm, &pr, "from=2027-01-13&to=2027-01-13&event=never").await[0].1, 0);
        // Every member reads the figures; a bad range is refused.
        assert_eq!(days(&dev, &pr, "from=2027-01-13&to=2027-01-13").await[0].1, 2);
        let bad = format!("/api/v1/products/{pr}/analytics/active?from=2027-02-01&to=2027-01-01");
        expect_error(pdm.get(&bad).await, 422, "invalid_value").await;

        // The workspace's time zone decides the day: 23:30 UTC on 31 Jan is
        // 1 Feb in Berlin (for events arriving from then on).
        let w = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}")).await, 200).await;
        let admin = app.login_as(Role::Admin).await;
        let body = json!({"name": w["name"], "time_zone": "Europe/Berlin", "version": w["version"]});
        json_ok(admin.patch(&format!("/api/v1/workspaces/{ws}"), body).await, 200).await;
        let late = json!({"batch": [ev("opened", "dee", "2027-01-31T23:30:00Z")]});
        json_ok(send(&app, "events", &bearer, late).await, 200).await;
        let feb = days(&pdm, &pr, "from=2027-01-31&to=2027-02-01").await;
        assert_eq!((feb[0].1, feb[1].1), (1, 1), "dee counts on 1 Feb: {feb:?}");

        // Segment's calls, with the key as Basic user name.
        use base64::Engine;
        let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{key}:")));
        let seg = json!({"batch": [
            {"type": "track", "event": "opened", "userId": "eve", "timestamp": "2027-01-25T10:00:00Z", "messageId": "m-1"},
            {"type": "page", "anonymousId": "anon-1", "timestamp": "2027-01-25T10:00:00Z"},
            {"type": "identify", "userId": "eve"},
        ]});
        let r = json_ok(send(&app, "v1/batch", &basic, seg).await, 200).await;
        assert_eq!(r["accepted"], 2, "{r}");
        assert_eq!(r["rejected"][0]["code"], "unsupported_type");
        let track = json!({"event": "opened", "userId": "eve", "timestamp": "2027-01-25T10:00:00Z", "messageId": "m-1"});
        let r = json_ok(send(&app, "v1/track", &basic, track).await, 200).await;
        assert_eq!(r["duplicates"], 1);
        assert_eq!(days(&pdm, &pr, "from=2027-01-25&to=2027-01-25").await[0].1, 2);

        // Browsers may send from any site: the preflight is answered, and
        // answers carry the origin header (no credentials: the key is a header).
        let pre = crate::support::client()
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/ingest/events"))
            .header("origin", "https://shop.example")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
            .await
            .unwrap();
        assert_eq!(pre.status(), 204);
        assert_eq!(pre.headers()["access-control-allow-origin"], "*");
        assert!(pre.headers()["access-control-allow-headers"].to_str().unwrap().contains("authorization"));
        let r = send(&app, "events", &bearer, json!({"batch": []})).await;
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
        let page = crate::support::get(app.url("/api/v1/openapi.json")).await;
        assert!(page.headers().get("access-control-allow-origin").is_none(), "only the ingest paths");

        // The key reads nothing, a wrong key is 401, a revoked key too.
        let as_key = crate::support::client()
            .get(app.url(&format!("/api/v1/products/{pr}/analytics/active")))
            .header("authorization", &bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(as_key.status(), 401);
        let one = json!({"batch": [ev("opened", "ana", "2027-01-25T10:00:00Z")]});
        expect_error(send(&app, "events", "Bearer tdi_wrong", one.clone()).await, 401, "invalid_credentials").await;
        expect_error(send(&app, "events", "", one.clone()).await, 401, "unauthenticated").await;
        let id = made["id"].as_str().unwrap();
        assert_eq!(dev.delete(&format!("/api/v1/ingest-keys/{id}")).await.status(), 403);
        assert_eq!(pdm.delete(&format!("/api/v1/ingest-keys/{id}")).await.status(), 204);
        expect_error(send(&app, "events", &bearer, one).await, 401, "invalid_credentials").await;
        // Another workspace's member finds no such product.
        crate::support::other_workspace(&app).await;
        let outsider = app.login(crate::support::OUTSIDER.0, crate::support::OUTSIDER.1).await;
        expect_error(outsider.get(&format!("/api/v1/products/{pr}/analytics/active")).await, 404, "not_found").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_over_its_rate_waits_a_minute() {
    let test = "a_key_over_its_rate_waits_a_minute";
    for db in crate::support::databases(test).await {
        eprintln!("{test}: running on {}", db.label());
        let config =
            tandem_server::config::Config { ingest_per_minute: 2, analytics_raw_days: 30, ..Default::default() };
        let app = TestApp::start(&db, config).await;
        app.clock.set(at("2027-02-01T12:00:00Z"));
        let ws = app.seed_demo().await;
        let pdm = app.login_as(Role::ProductManager).await;
        let pr = quiet_product(&pdm, &ws).await;
        let made =
            json_ok(pdm.post(&format!("/api/v1/products/{pr}/ingest-keys"), json!({"name": "k"})).await, 201).await;
        let bearer = format!("Bearer {}", made["key"].as_str().unwrap());
        let one = json!({"batch": [ev("opened", "ana", "2027-01-25T10:00:00Z")]});
        for _ in 0..2 {
            json_ok(send(&app, "events", &bearer, one.clone()).await, 200).await;
        }
        let r = send(&app, "events", &bearer, one.clone()).await;
        let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        expect_error(r, 429, "rate_limited").await;
        assert_eq!(days(&pdm, &pr, "from=2027-01-25&to=2027-01-25").await[0].1, 1, "nothing stored past the rate");
        app.clock.set(at("2027-02-01T12:05:00Z"));
        json_ok(send(&app, "events", &bearer, one).await, 200).await;

        // Raw events are kept 30 days here: the next batch drops 25 Jan's
        // once it is past, the figures of that day stay.
        let path = format!("/api/v1/products/{pr}/analytics/funnel?steps=opened,paid&from=2027-01-25&to=2027-01-25");
        assert_eq!(json_ok(pdm.get(&path).await, 200).await["steps"][0]["users"], 1);
        app.clock.set(at("2027-03-01T12:00:00Z"));
        let later = json!({"batch": [ev("opened", "ben", "2027-03-01T10:00:00Z")]});
        json_ok(send(&app, "events", &bearer, later).await, 200).await;
        // (A month on, the session has expired: sign in again.)
        let pdm = app.login_as(Role::ProductManager).await;
        assert_eq!(json_ok(pdm.get(&path).await, 200).await["steps"][0]["users"], 0, "raw events gone");
        assert_eq!(days(&pdm, &pr, "from=2027-01-25&to=2027-01-25").await[0].1, 1, "the day's figures stay");
        db.destroy().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_and_funnels_come_out_as_worked_by_hand() {
    on_each_database("retention_and_funnels_come_out_as_worked_by_hand", |app| async move {
        app.clock.set(at("2027-02-15T12:00:00Z"));
        let ws = app.seed_demo().await;
        let pdm = app.login_as(Role::ProductManager).await;
        let pr = quiet_product(&pdm, &ws).await;
        let made =
            json_ok(pdm.post(&format!("/api/v1/products/{pr}/ingest-keys"), json!({"name": "k"})).await, 201).await;
        let bearer = format!("Bearer {}", made["key"].as_str().unwrap());
        // Ana and Ben sign up in the week of Monday 4 Jan, Cy in the next.
        let batch = json!({"batch": [
            ev("signed_up", "ana", "2027-01-05T09:00:00Z"),
            ev("opened", "ana", "2027-01-06T09:00:00Z"),
            ev("paid", "ana", "2027-01-08T09:00:00Z"),
            ev("opened", "ana", "2027-01-13T09:00:00Z"),
            ev("signed_up", "ben", "2027-01-06T09:00:00Z"),
            ev("opened", "ben", "2027-01-20T09:00:00Z"),
            ev("signed_up", "cy", "2027-01-12T09:00:00Z"),
            ev("opened", "cy", "2027-01-13T09:00:00Z"),
            ev("opened", "cy", "2027-01-27T09:00:00Z"),
        ]});
        assert_eq!(json_ok(send(&app, "events", &bearer, batch).await, 200).await["accepted"], 9);

        // By hand: the 4 Jan cohort (ana, ben) comes back 1, 1, 1, 0 in its
        // weeks 0 to 3; the 11 Jan cohort (cy) 1, 0, 1, 0.
        let q = "start_event=signed_up&return_event=opened&period=week&periods=4&from=2027-01-04&to=2027-01-11";
        let r = json_ok(pdm.get(&format!("/api/v1/products/{pr}/analytics/retention?{q}")).await, 200).await;
        assert_eq!(
            r["cohorts"],
            json!([
                {"start": "2027-01-04", "size": 2, "retained": [1, 1, 1, 0]},
                {"start": "2027-01-11", "size": 1, "retained": [1, 0, 1, 0]}
            ])
        );
        // By days: ana's first day, 5 Jan, and her return the day after.
        let q = "start_event=signed_up&return_event=opened&period=day&periods=3&from=2027-01-05&to=2027-01-05";
        let r = json_ok(pdm.get(&format!("/api/v1/products/{pr}/analytics/retention?{q}")).await, 200).await;
        assert_eq!(r["cohorts"], json!([{"start": "2027-01-05", "size": 1, "retained": [0, 1, 0]}]));

        // A funnel within 7 days: ana does all three, cy two, ben only
        // signs up (he opens 14 days later).
        let q = "steps=signed_up,opened,paid&window_days=7&from=2027-01-01&to=2027-01-31";
        let r = json_ok(pdm.get(&format!("/api/v1/products/{pr}/analytics/funnel?{q}")).await, 200).await;
        assert_eq!(
            r["steps"],
            json!([{"event": "signed_up", "users": 3}, {"event": "opened", "users": 2}, {"event": "paid", "users": 1}])
        );
        let q = "steps=signed_up,opened&window_days=30&from=2027-01-01&to=2027-01-31";
        let r = json_ok(pdm.get(&format!("/api/v1/products/{pr}/analytics/funnel?{q}")).await, 200).await;
        assert_eq!(r["steps"][1]["users"], 3, "with a month's window ben counts: {r}");
        for q in ["steps=signed_up", "steps=a,a", "steps=a,b&window_days=0", "steps=a,b&from=2027-02-01&to=2027-01-01"]
        {
            let path = format!("/api/v1/products/{pr}/analytics/funnel?{q}");
            expect_error(pdm.get(&path).await, 422, "invalid_value").await;
        }
        let path = format!("/api/v1/products/{pr}/analytics/retention?period=month");
        expect_error(pdm.get(&path).await, 422, "invalid_value").await;

        // Adoption of a feature shipped on Wednesday 6 Jan whose event is
        // `opened`: since then ana, ben and cy opened, of the same three
        // active (ana's sign-up on 5 Jan is before); the week of 4 Jan:
        // ana opened, ana and ben were active from the 6th.
        let f =
            json_ok(pdm.post(&format!("/api/v1/products/{pr}/features"), json!({"title": "Open anywhere"})).await, 201)
                .await;
        let fid = f["id"].as_str().unwrap();
        let adoption = format!("/api/v1/features/{fid}/adoption");
        expect_error(pdm.get(&adoption).await, 422, "invalid_value").await;
        let body = json!({"adoption_event": "opened", "version": f["version"]});
        let f = json_ok(pdm.patch(&format!("/api/v1/features/{fid}"), body).await, 200).await;
        let before = json_ok(pdm.get(&adoption).await, 200).await;
        assert_eq!((before["since"].clone(), before["adopters"].clone()), (Value::Null, json!(0)), "not shipped");
        let body = json!({"shipped_on": "2027-01-06", "version": f["version"]});
        json_ok(pdm.patch(&format!("/api/v1/features/{fid}"), body).await, 200).await;
        let a = json_ok(pdm.get(&adoption).await, 200).await;
        assert_eq!((a["event"].clone(), a["since"].clone()), (json!("opened"), json!("2027-01-06")), "{a}");
        assert_eq!(
            (a["adopters"].clone(), a["active_users"].clone(), a["rate"].clone()),
            (json!(3), json!(3), json!(1.0))
        );
        assert_eq!(a["weekly"][0], json!({"week": "2027-01-04", "adopters": 1, "rate": 0.5}), "{a}");
        assert_eq!(a["weekly"].as_array().unwrap().len(), 7, "weeks from 4 Jan to 15 Feb");

        // Forgetting ben takes him out of every figure; he is then unknown.
        let dev = app.login_as(Role::Contributor).await;
        let forget = format!("/api/v1/products/{pr}/analytics/persons/ben");
        expect_error(dev.delete(&forget).await, 403, "forbidden").await;
        let r = pdm.request(reqwest::Method::DELETE, &forget).send().await.unwrap();
        assert_eq!(json_ok(r, 200).await["events_deleted"], 2);
        let q = "start_event=signed_up&return_event=opened&period=week&periods=4&from=2027-01-04&to=2027-01-04";
        let r = json_ok(pdm.get(&format!("/api/v1/products/{pr}/analytics/retention?{q}")).await, 200).await;
        assert_eq!(r["cohorts"], json!([{"start": "2027-01-04", "size": 1, "retained": [1, 1, 0, 0]}]));
        let q = "steps=signed_up,opened&window_days=30&from=2027-01-01&to=2027-01-31";
        let r = json_ok(pdm.get(&format!("/api/v1/products/{pr}/analytics/funnel?{q}")).await, 200).await;
        assert_eq!((r["steps"][0]["users"].clone(), r["steps"][1]["users"].clone()), (json!(2), json!(2)));
        assert_eq!(json_ok(pdm.get(&adoption).await, 200).await["active_users"], 2);
        expect_error(pdm.delete(&forget).await, 404, "not_found").await;
    })
    .await;
}
