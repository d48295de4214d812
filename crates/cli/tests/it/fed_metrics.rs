//! Metric series fed from product analytics and the key results that follow
//! them: events arrive, the series' values are recomputed, and a key result
//! bound to the series moves by itself with each change in its history.

use serde_json::{Value, json};
use tandem_core::{Millis, Role};

use crate::support::{Api, TestApp, expect_error, json_ok, on_each_database};

fn at(s: &str) -> Millis {
    Millis(s.parse::<jiff::Timestamp>().unwrap().as_millisecond())
}

async fn send(app: &TestApp, key: &str, events: &[(&str, &str, &str)]) {
    let batch: Vec<Value> = events
        .iter()
        .map(|(e, who, day)| json!({"event": e, "distinct_id": who, "timestamp": format!("{day}T12:00:00Z")}))
        .collect();
    let r = crate::support::client()
        .post(app.url("/api/v1/ingest/events"))
        .header("authorization", format!("Bearer {key}"))
        .json(&json!({"batch": batch}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_ok(r, 200).await["accepted"], events.len());
}

/// A series' values as (date, value).
async fn points(api: &Api, series: &str) -> Vec<(String, f64)> {
    let s = json_ok(api.get(&format!("/api/v1/metrics/{series}")).await, 200).await;
    s["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["date"].as_str().unwrap().to_owned(), p["value"].as_f64().unwrap()))
        .collect()
}

async fn key_result(api: &Api, kr: &str) -> Value {
    json_ok(api.get(&format!("/api/v1/key-results/{kr}")).await, 200).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_result_following_a_fed_metric_moves_as_events_arrive() {
    on_each_database("a_key_result_following_a_fed_metric_moves_as_events_arrive", |app| async move {
        app.clock.set(at("2027-02-01T15:00:00Z"));
        let ws = app.seed_demo().await;
        let pdm = app.login_as(Role::ProductManager).await;
        let pr = crate::analytics::quiet_product(&pdm, &ws).await;
        let made = json_ok(pdm.post(&format!("/api/v1/products/{pr}/ingest-keys"), json!({"name": "app"})).await, 201)
            .await;
        let key = made["key"].as_str().unwrap().to_owned();
        let metrics = format!("/api/v1/products/{pr}/metrics");

        // Refused sources: a kind events cannot feed, a field the kind does
        // not read, an adoption series without its feature; typed values.
        for (body, field) in [
            (json!({"name": "n", "kind": "nps", "source": {}}), "source"),
            (json!({"name": "n", "kind": "dau", "source": {"return_event": "x"}}), "source.return_event"),
            (json!({"name": "n", "kind": "adoption", "source": {}}), "source.feature_id"),
            (json!({"name": "n", "kind": "dau", "source": {"event": "x"}, "points": [{"date": "2027-01-01", "value": 1}]}), "points"),
        ] {
            let e = expect_error(pdm.post(&metrics, body.clone()).await, 422, "invalid_value").await;
            assert_eq!(e["error"]["details"]["field"], field, "{body}: {e}");
        }

        // Some history before the series exists: it is filled at once.
        send(&app, &key, &[("opened", "ana", "2027-01-11"), ("opened", "ben", "2027-01-13")]).await;
        let dau = json_ok(pdm.post(&metrics, json!({"name": "DAU (events)", "kind": "dau", "source": {}})).await, 201)
            .await;
        assert_eq!(dau["source"], json!({}), "any event: {dau}");
        let sid = dau["id"].as_str().unwrap().to_owned();
        let got = points(&pdm, &sid).await;
        assert_eq!(got.first(), Some(&("2027-01-11".to_owned(), 1.0)), "from the first day with events");
        assert_eq!(got.len(), 22, "11 Jan to 1 Feb, one value a day: {got:?}");
        assert!(got.iter().filter(|(d, _)| d != "2027-01-11" && d != "2027-01-13").all(|(_, v)| *v == 0.0));
        let typed = json!({"points": [{"date": "2027-01-12", "value": 5}]});
        expect_error(pdm.post(&format!("/api/v1/metrics/{sid}/values"), typed).await, 422, "invalid_value").await;

        // A key result following it: today has no one yet.
        let o = json_ok(
            pdm.post(&format!("/api/v1/products/{pr}/objectives"), json!({"title": "Grow use", "period": "2027-Q1"}))
                .await,
            201,
        )
        .await;
        let krs = format!("/api/v1/objectives/{}/key-results", o["id"].as_str().unwrap());
        let body = json!({"metric": "Daily actives", "baseline": 0, "target": 4, "metric_id": sid, "current": 1});
        let e = expect_error(pdm.post(&krs, body).await, 422, "invalid_value").await;
        assert_eq!(e["error"]["details"]["field"], "current");
        let k = json_ok(pdm.post(&krs, json!({"metric": "Daily actives", "baseline": 0, "target": 4, "metric_id": sid})).await, 201)
            .await;
        let kid = k["id"].as_str().unwrap().to_owned();
        assert_eq!((k["metric_id"].as_str(), k["current"].as_f64()), (Some(sid.as_str()), Some(0.0)), "{k}");

        // Events today move it by itself; a later batch the same day
        // replaces that day's value in the history.
        send(&app, &key, &[("opened", "ana", "2027-02-01"), ("paid", "ben", "2027-02-01")]).await;
        let k = key_result(&pdm, &kid).await;
        assert_eq!((k["current"].as_f64(), k["progress"].as_f64()), (Some(2.0), Some(0.5)), "{k}");
        assert_eq!(k["history"].as_array().unwrap().last().unwrap(), &json!({"date": "2027-02-01", "value": 2.0}));
        let version = k["version"].as_i64().unwrap();
        send(&app, &key, &[("opened", "cy", "2027-02-01"), ("opened", "ana", "2027-02-01")]).await;
        let k = key_result(&pdm, &kid).await;
        assert_eq!(k["current"].as_f64(), Some(3.0));
        assert_eq!(k["version"].as_i64(), Some(version + 1), "a change is a new version");
        let history = k["history"].as_array().unwrap();
        assert_eq!(history.iter().filter(|h| h["date"] == "2027-02-01").count(), 1, "{history:?}");
        assert_eq!(history.last().unwrap()["value"].as_f64(), Some(3.0));
        // Yesterday's events change yesterday's value, not the current one.
        send(&app, &key, &[("opened", "dee", "2027-01-31")]).await;
        assert_eq!(key_result(&pdm, &kid).await["current"].as_f64(), Some(3.0));
        let got = points(&pdm, &sid).await;
        assert_eq!(&got[got.len() - 2..], [("2027-01-31".to_owned(), 1.0), ("2027-02-01".to_owned(), 3.0)]);
        // The activity log tells the move, by no one.
        let log = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/activity")).await, 200)
            .await;
        let moved = log["items"].as_array().unwrap().iter().find(|a| a["action"] == "key_result.updated").unwrap();
        assert_eq!(moved["actor_id"], Value::Null, "{moved}");
        // Its current value is not typed while it follows; unbound, it is.
        let body = json!({"current": 9, "version": k["version"]});
        expect_error(pdm.patch(&format!("/api/v1/key-results/{kid}"), body).await, 422, "invalid_value").await;
        let body = json!({"metric_id": null, "current": 3.5, "version": k["version"]});
        let k = json_ok(pdm.patch(&format!("/api/v1/key-results/{kid}"), body).await, 200).await;
        assert_eq!((k["metric_id"].clone(), k["current"].as_f64()), (Value::Null, Some(3.5)));

        // Weekly retention: of the week of 11 Jan's newcomers (ana, ben),
        // ana came back the week after? No: ana's next event is 1 Feb. Of
        // the week of 25 Jan's newcomers (dee on the 31st), none yet (its
        // week after is not over). Send ana on 19 Jan: 50 % for 11 Jan.
        send(&app, &key, &[("opened", "ana", "2027-01-19")]).await;
        let ret = json!({"name": "Week-1 retention", "kind": "retention", "unit": "%", "source": {"return_event": "opened"}});
        let ret = json_ok(pdm.post(&metrics, ret).await, 201).await;
        let got = points(&pdm, ret["id"].as_str().unwrap()).await;
        assert_eq!(got, [("2027-01-11".to_owned(), 50.0)], "only cohorts whose next week is over, with people");

        // Adoption since a feature shipped (27 Jan), of its `paid` event:
        // on 1 Feb, ben paid, of ana, ben, cy and dee active since.
        let f = json_ok(
            pdm.post(&format!("/api/v1/products/{pr}/features"), json!({"title": "Pay later", "adoption_event": "paid"}))
                .await,
            201,
        )
        .await;
        let fid = f["id"].as_str().unwrap();
        let body = json!({"name": "Pay later adoption", "kind": "adoption", "source": {"feature_id": fid}});
        let a = json_ok(pdm.post(&metrics, body.clone()).await, 201).await;
        assert!(a["points"].as_array().unwrap().is_empty(), "not shipped: no values yet");
        let body = json!({"shipped_on": "2027-01-27", "version": f["version"]});
        json_ok(pdm.patch(&format!("/api/v1/features/{fid}"), body).await, 200).await;
        let got = points(&pdm, a["id"].as_str().unwrap()).await;
        assert_eq!(got.last(), Some(&("2027-02-01".to_owned(), 25.0)), "shipping fills it: {got:?}");
        send(&app, &key, &[("opened", "ana", "2027-02-01")]).await;
        let got = points(&pdm, a["id"].as_str().unwrap()).await;
        assert_eq!(got.first(), Some(&("2027-01-27".to_owned(), 0.0)));
        assert_eq!(got.last(), Some(&("2027-02-01".to_owned(), 25.0)), "{got:?}");

        // Forgetting cy takes him out of the fed values too.
        let r = pdm.request(reqwest::Method::DELETE, &format!("/api/v1/products/{pr}/analytics/persons/cy")).send();
        json_ok(r.await.unwrap(), 200).await;
        let got = points(&pdm, &sid).await;
        assert_eq!(got.last(), Some(&("2027-02-01".to_owned(), 2.0)));
    })
    .await;
}
