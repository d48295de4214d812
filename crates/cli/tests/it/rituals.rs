//! Team rituals through the API: a worked day gives exactly the expected
//! stand-up; a sprint with scope added mid-way gives the expected review
//! figures; a retrospective's anonymous cards, dots and actions, shown
//! with their status at the next one.

use serde_json::{Value, json};
use tandem_core::{Millis, Role};

use crate::support::{Api, expect_error, json_ok, new_project, on_each_database};

fn at(s: &str) -> Millis {
    let t: jiff::Timestamp = s.parse().unwrap();
    Millis(t.as_millisecond())
}

fn s(v: &Value) -> String {
    v.as_str().unwrap().to_owned()
}

async fn task(pm: &Api, p: &str, body: Value) -> Value {
    json_ok(pm.post(&format!("/api/v1/projects/{p}/tasks"), body).await, 201).await
}

async fn patch_task(api: &Api, t: &Value, body: Value) -> Value {
    let id = s(&t["id"]);
    let cur = json_ok(api.get(&format!("/api/v1/tasks/{id}")).await, 200).await;
    let mut b = body;
    b["version"] = cur["version"].clone();
    json_ok(api.patch(&format!("/api/v1/tasks/{id}"), b).await, 200).await
}

fn texts(list: &Value, field: &str) -> Vec<String> {
    list.as_array().unwrap().iter().map(|x| x[field].as_str().unwrap_or("").to_owned()).collect()
}

fn kinds(blockers: &Value) -> Vec<(String, String)> {
    blockers.as_array().unwrap().iter().map(|b| (s(&b["kind"]), b["key"].as_str().unwrap_or("").to_owned())).collect()
}

fn person<'a>(standup: &'a Value, name: &str) -> &'a Value {
    standup["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {standup}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worked_day_gives_exactly_the_expected_standup() {
    on_each_database("standup", |app| async move {
        let ws = app.seed_demo().await;
        app.clock.set(at("2027-01-04T09:00:00Z"));
        let pm = app.login_as(Role::ProjectManager).await;
        let dev = app.login_as(Role::Contributor).await;
        let viewer = app.login_as(Role::Stakeholder).await;
        let me = app.state.store.user_by_email("dev@demo.example").await.unwrap().unwrap();
        let dev_id = me.id.to_string();
        let resources = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/resources")).await, 200).await;
        let items = resources["items"].as_array().unwrap();
        let mine = s(&items.iter().find(|r| r["user_id"] == dev_id.as_str()).unwrap()["id"]);
        let other = items.iter().find(|r| r["user_id"].is_null()).unwrap().clone();
        let p = new_project(&pm, &ws, "Stand-up", "SU").await;
        let on = |r: &str| json!([{"resource_id": r}]);
        // Monday and Tuesday, then Wednesday to Friday after it; a day of
        // someone without an account; a day of the developer's on Monday.
        let a = task(&pm, &p, json!({"name": "Design API", "duration_minutes": 960, "assignments": on(&mine)})).await;
        let b = task(&pm, &p, json!({"name": "Build API", "duration_minutes": 1440, "assignments": on(&mine)})).await;
        let c =
            task(&pm, &p, json!({"name": "Write docs", "duration_minutes": 480, "assignments": on(&s(&other["id"]))}))
                .await;
        let d = task(&pm, &p, json!({"name": "Set up CI", "duration_minutes": 480, "assignments": on(&mine)})).await;
        json_ok(
            pm.post(
                &format!("/api/v1/projects/{p}/dependencies"),
                json!({"predecessor_id": a["id"], "successor_id": b["id"], "type": "FS"}),
            )
            .await,
            201,
        )
        .await;

        // Tuesday: the developer starts the design, gets half way and logs 3 h.
        app.clock.set(at("2027-01-05T10:00:00Z"));
        patch_task(&dev, &a, json!({"status": "in_progress"})).await;
        patch_task(&dev, &a, json!({"percent_complete": 50})).await;
        json_ok(
            dev.post(
                &format!("/api/v1/projects/{p}/time-entries"),
                json!({"task_id": a["id"], "date": "2027-01-05", "minutes": 180}),
            )
            .await,
            201,
        )
        .await;

        // Wednesday's stand-up.
        app.clock.set(at("2027-01-06T09:00:00Z"));
        json_ok(
            dev.post(
                &format!("/api/v1/projects/{p}/standup/notes"),
                json!({"text": "Need the payment provider's spec", "blocker_task_id": b["id"]}),
            )
            .await,
            201,
        )
        .await;
        let su = json_ok(pm.get(&format!("/api/v1/projects/{p}/standup")).await, 200).await;
        assert_eq!(su["date"], "2027-01-06");
        assert_eq!(su["since"], "2027-01-05T00:00:00Z", "since Tuesday began: {su}");
        assert_eq!(su["kept"], true);
        let names: Vec<String> = texts(&su["people"], "name");
        let other_name = s(&other["name"]);
        let mut want = vec![me.name.clone(), other_name.clone()];
        want.sort_by_key(|n| n.to_lowercase());
        assert_eq!(names, want, "{su}");
        let dp = person(&su, &want.iter().find(|n| **n != other_name).unwrap().clone()).clone();
        assert_eq!(dp["user_id"], dev_id.as_str());
        assert_eq!(texts(&dp["moved"], "text"), ["SU-1 Design API: To do → In progress, 0 % → 50 %, 3 h logged"]);
        assert_eq!(texts(&dp["in_progress"], "key"), ["SU-1"]);
        assert_eq!(texts(&dp["next"], "key"), ["SU-4", "SU-2"]);
        assert_eq!(
            kinds(&dp["blockers"]),
            [
                ("late".into(), "SU-1".into()),
                ("critical_not_started".into(), "SU-2".into()),
                ("waiting".into(), "SU-2".into()),
                ("late".into(), "SU-4".into()),
                ("over_allocated".into(), String::new()),
                ("raised".into(), "SU-2".into()),
            ],
            "{dp}"
        );
        let reasons = texts(&dp["blockers"], "reason");
        assert_eq!(reasons[0], "planned to finish Tue 5 Jan 2027, not done");
        assert_eq!(reasons[2], "waiting on SU-1 Design API, not finished");
        assert_eq!(reasons[4], "over-allocated in the week of Mon 4 Jan 2027: 48 h booked, 40 h available");
        assert_eq!(reasons[5], "raised at the stand-up: Need the payment provider's spec");
        assert_eq!(texts(&dp["notes"], "text"), ["Need the payment provider's spec"]);
        let op = person(&su, &other_name);
        assert!(op["user_id"].is_null());
        assert_eq!(texts(&op["moved"], "text"), Vec::<String>::new());
        assert_eq!(texts(&op["next"], "key"), ["SU-3"]);
        assert_eq!(kinds(&op["blockers"]), [("late".into(), "SU-3".into())]);
        let _ = (&c, &d);

        // Blockers turned into a risk and a follow-up, by the manager only.
        let esc = json!({"kind": "late", "task_id": d["id"], "person_id": dev_id, "make": "risk"});
        expect_error(dev.post(&format!("/api/v1/projects/{p}/standup/actions"), esc.clone()).await, 403, "forbidden")
            .await;
        let risk = json_ok(pm.post(&format!("/api/v1/projects/{p}/standup/actions"), esc.clone()).await, 201).await;
        // Once a day: a second click changes nothing.
        expect_error(pm.post(&format!("/api/v1/projects/{p}/standup/actions"), esc).await, 409, "conflict").await;
        assert_eq!((risk["made"].as_str(), risk["made_label"].as_str()), (Some("risk"), Some("SU-5")));
        let r = json_ok(pm.get(&format!("/api/v1/risks/{}", s(&risk["made_id"]))).await, 200).await;
        assert_eq!(r["title"], "Blocked: SU-4 Set up CI");
        assert_eq!(r["task_ids"], json!([d["id"]]));
        let fu =
            json!({"kind": "over_allocated", "person_id": dev_id, "make": "follow_up", "title": "Rebalance the week"});
        json_ok(pm.post(&format!("/api/v1/projects/{p}/standup/actions"), fu).await, 201).await;
        let su = json_ok(pm.get(&format!("/api/v1/projects/{p}/standup")).await, 200).await;
        assert_eq!(texts(&su["actions"], "made_label"), ["SU-5", "Rebalance the week"]);
        assert_eq!(texts(&su["follow_ups"], "title"), ["Rebalance the week"]);
        assert_eq!(su["follow_ups"][0]["owner_id"], dev_id.as_str());
        // The owner ticks it done; it leaves the open list.
        let f = su["follow_ups"][0].clone();
        let done = json!({"done": true, "version": f["version"]});
        json_ok(dev.patch(&format!("/api/v1/follow-ups/{}", s(&f["id"])), done).await, 200).await;
        let rename = json!({"title": "x", "version": f["version"]});
        expect_error(dev.patch(&format!("/api/v1/follow-ups/{}", s(&f["id"])), rename).await, 403, "forbidden").await;

        // Bad input: a stakeholder's line, a day to come, a task elsewhere.
        let line = json!({"text": "hello"});
        expect_error(viewer.post(&format!("/api/v1/projects/{p}/standup/notes"), line).await, 403, "forbidden").await;
        let r =
            dev.post(&format!("/api/v1/projects/{p}/standup/notes"), json!({"text": "x", "date": "2027-01-07"})).await;
        expect_error(r, 422, "invalid_value").await;
        let r = dev.post(&format!("/api/v1/projects/{p}/standup/notes"), json!({"text": "  "})).await;
        expect_error(r, 422, "invalid_value").await;
        let q = viewer.get(&format!("/api/v1/projects/{p}/standup?date=2027-01-07")).await;
        assert_eq!(q.status(), 400);

        // Yesterday was never read on the day: only what moved is known.
        let tue = json_ok(viewer.get(&format!("/api/v1/projects/{p}/standup?date=2027-01-05")).await, 200).await;
        assert_eq!(tue["kept"], false);
        assert_eq!(tue["since"], "2027-01-04T00:00:00Z");
        let tp = person(&tue, dp["name"].as_str().unwrap()).clone();
        assert_eq!(texts(&tp["moved"], "text"), ["SU-1 Design API: To do → In progress, 0 % → 50 %, 3 h logged"]);
        assert_eq!(tp["in_progress"], json!([]));

        // Thursday: Wednesday's stand-up reads as the team saw it, though
        // the plan moved on.
        app.clock.set(at("2027-01-07T09:00:00Z"));
        patch_task(&dev, &a, json!({"percent_complete": 100})).await;
        let wed = json_ok(viewer.get(&format!("/api/v1/projects/{p}/standup?date=2027-01-06")).await, 200).await;
        assert_eq!(wed["kept"], true);
        let wp = person(&wed, dp["name"].as_str().unwrap()).clone();
        assert_eq!(texts(&wp["in_progress"], "key"), ["SU-1"]);
        assert_eq!(wp["blockers"].as_array().unwrap().len(), 6);
        let thu = json_ok(viewer.get(&format!("/api/v1/projects/{p}/standup")).await, 200).await;
        let hp = person(&thu, dp["name"].as_str().unwrap()).clone();
        assert_eq!(texts(&hp["moved"], "text"), ["SU-1 Design API: 50 % → 100 %, finished"]);
        assert_eq!(texts(&hp["in_progress"], "key"), Vec::<String>::new());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sprint_with_scope_added_mid_way_gives_the_expected_review() {
    on_each_database("sprint_review", |app| async move {
        let ws = app.seed_demo().await;
        app.clock.set(at("2026-12-21T09:00:00Z"));
        let pm = app.login_as(Role::ProjectManager).await;
        let p = new_project(&pm, &ws, "Review", "RV").await;
        let sprint = |name: &str, start: &str, finish: &str| json!({"name": name, "start": start, "finish": finish});
        // An earlier sprint that finished 4 points.
        let s0 = json_ok(
            pm.post(&format!("/api/v1/projects/{p}/sprints"), sprint("S0", "2026-12-21", "2027-01-01")).await,
            201,
        )
        .await;
        let t0 = task(&pm, &p, json!({"name": "Old", "story_points": 4, "sprint_id": s0["id"]})).await;
        app.clock.set(at("2026-12-30T09:00:00Z"));
        patch_task(&pm, &t0, json!({"status": "done"})).await;
        json_ok(
            pm.patch(
                &format!("/api/v1/sprints/{}", s(&s0["id"])),
                json!({"status": "closed", "version": s0["version"]}),
            )
            .await,
            200,
        )
        .await;

        // This sprint: two tasks committed when it starts on Monday.
        app.clock.set(at("2027-01-04T08:00:00Z"));
        let pm = app.login_as(Role::ProjectManager).await;
        let pdm = app.login_as(Role::ProductManager).await;
        let sp = json_ok(
            pm.post(&format!("/api/v1/projects/{p}/sprints"), sprint("S1", "2027-01-04", "2027-01-15")).await,
            201,
        )
        .await;
        let sid = s(&sp["id"]);
        let products = json_ok(pdm.get(&format!("/api/v1/workspaces/{ws}/products")).await, 200).await;
        let product = s(&products["items"][0]["id"]);
        let rel =
            json_ok(pdm.post(&format!("/api/v1/products/{product}/releases"), json!({"name": "2.4"})).await, 201).await;
        let feat = json_ok(
            pdm.post(
                &format!("/api/v1/products/{product}/features"),
                json!({"title": "Saved carts", "release_id": rel["id"]}),
            )
            .await,
            201,
        )
        .await;
        let t1 =
            task(&pm, &p, json!({"name": "Cart API", "story_points": 3, "sprint_id": sid, "feature_id": feat["id"]}))
                .await;
        let t2 = task(&pm, &p, json!({"name": "Cart page", "story_points": 5, "sprint_id": sid})).await;
        let t4 = task(&pm, &p, json!({"name": "Backlog item", "story_points": 1})).await;
        app.clock.set(at("2027-01-04T09:00:00Z"));
        json_ok(
            pm.patch(&format!("/api/v1/sprints/{sid}"), json!({"status": "active", "version": sp["version"]})).await,
            200,
        )
        .await;

        // Tuesday: scope added mid-sprint, one new, one from the backlog.
        app.clock.set(at("2027-01-05T10:00:00Z"));
        let t3 = task(&pm, &p, json!({"name": "Cart emails", "story_points": 2, "sprint_id": sid})).await;
        patch_task(&pm, &t4, json!({"sprint_id": sid})).await;
        // Wednesday: the API and the e-mails are done; the feature ships.
        app.clock.set(at("2027-01-06T10:00:00Z"));
        patch_task(&pm, &t1, json!({"status": "done"})).await;
        patch_task(&pm, &t3, json!({"percent_complete": 100})).await;
        let f = json_ok(pdm.get(&format!("/api/v1/features/{}", s(&feat["id"]))).await, 200).await;
        json_ok(
            pdm.patch(
                &format!("/api/v1/features/{}", s(&feat["id"])),
                json!({"status": "shipped", "version": f["version"]}),
            )
            .await,
            200,
        )
        .await;
        // Thursday: the backlog item goes back out.
        app.clock.set(at("2027-01-07T10:00:00Z"));
        patch_task(&pm, &t4, json!({"sprint_id": null})).await;
        // The sprint closes on the last Friday; the page is finished after.
        app.clock.set(at("2027-01-15T17:00:00Z"));
        let cur = json_ok(pm.get(&format!("/api/v1/sprints/{sid}")).await, 200).await;
        json_ok(
            pm.patch(&format!("/api/v1/sprints/{sid}"), json!({"status": "closed", "version": cur["version"]})).await,
            200,
        )
        .await;
        app.clock.set(at("2027-01-18T10:00:00Z"));
        let pm = app.login_as(Role::ProjectManager).await;
        let pdm = app.login_as(Role::ProductManager).await;
        patch_task(&pm, &t2, json!({"status": "done"})).await;

        let r = json_ok(pdm.get(&format!("/api/v1/sprints/{sid}/review")).await, 200).await;
        let tally = |k: &str| (r["figures"][k]["tasks"].as_u64().unwrap(), r["figures"][k]["points"].as_f64().unwrap());
        assert_eq!(tally("committed"), (2, 8.0), "{r}");
        assert_eq!(tally("added"), (2, 3.0));
        assert_eq!(tally("completed"), (2, 5.0));
        assert_eq!(tally("carried_over"), (1, 5.0));
        assert_eq!(tally("removed"), (1, 1.0));
        assert!(s(&r["started_at"]).starts_with("2027-01-04T09:00:00"), "{r}");
        assert!(s(&r["ended_at"]).starts_with("2027-01-15T17:00:00"));
        let outcome = |k: &str| {
            let it = r["items"].as_array().unwrap().iter().find(|i| i["key"] == k).unwrap();
            (s(&it["outcome"]), it["committed"].as_bool().unwrap(), it["added"].as_bool().unwrap())
        };
        assert_eq!(outcome("RV-2"), ("completed".into(), true, false));
        assert_eq!(outcome("RV-3"), ("carried_over".into(), true, false));
        assert_eq!(outcome("RV-5"), ("completed".into(), false, true));
        assert_eq!(outcome("RV-4"), ("removed".into(), false, true));
        assert_eq!(r["velocity"]["this_sprint"], 5.0);
        assert_eq!(r["velocity"]["last"][0]["points"], 4.0);
        assert_eq!(r["velocity"]["mean"], 4.0);
        assert_eq!(r["shipped"].as_array().unwrap().len(), 1, "{r}");
        assert_eq!(
            (r["shipped"][0]["title"].as_str(), r["shipped"][0]["release_name"].as_str()),
            (Some("Saved carts"), Some("2.4"))
        );
        assert_eq!((r["may_accept"].as_bool(), r["demo_notes_version"].as_i64()), (Some(true), Some(0)));

        // The product manager accepts; the project manager may not, but
        // writes the demo notes (stale versions refused).
        let t1id = s(&t1["id"]);
        let ok = json!({"verdict": "accepted", "note": "Demoed on staging"});
        expect_error(pm.put(&format!("/api/v1/sprints/{sid}/review/items/{t1id}"), ok.clone()).await, 403, "forbidden")
            .await;
        let r = json_ok(pdm.put(&format!("/api/v1/sprints/{sid}/review/items/{t1id}"), ok).await, 200).await;
        let it = r["items"].as_array().unwrap().iter().find(|i| i["key"] == "RV-2").unwrap().clone();
        assert_eq!(
            (it["acceptance"]["verdict"].as_str(), it["acceptance"]["note"].as_str()),
            (Some("accepted"), Some("Demoed on staging"))
        );
        let t0id = s(&t0["id"]);
        let r2 = pdm.put(&format!("/api/v1/sprints/{sid}/review/items/{t0id}"), json!({"verdict": "accepted"})).await;
        expect_error(r2, 422, "invalid_value").await;
        let notes = json!({"demo_notes": "Showed saved carts", "version": 0});
        let r = json_ok(pm.put(&format!("/api/v1/sprints/{sid}/review"), notes.clone()).await, 200).await;
        assert_eq!((r["demo_notes"].as_str(), r["demo_notes_version"].as_i64()), (Some("Showed saved carts"), Some(1)));
        expect_error(pm.put(&format!("/api/v1/sprints/{sid}/review"), notes).await, 412, "version_mismatch").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retrospective_keeps_anonymity_counts_dots_and_follows_up_its_actions() {
    on_each_database("retro", |app| async move {
        let ws = app.seed_demo().await;
        app.clock.set(at("2027-01-15T15:00:00Z"));
        let pm = app.login_as(Role::ProjectManager).await;
        let dev = app.login_as(Role::Contributor).await;
        let viewer = app.login_as(Role::Stakeholder).await;
        let dev_id = app.state.store.user_by_email("dev@demo.example").await.unwrap().unwrap().id.to_string();
        let p = new_project(&pm, &ws, "Retro", "RT").await;
        let s1 = json_ok(
            pm.post(
                &format!("/api/v1/projects/{p}/sprints"),
                json!({"name": "S1", "start": "2027-01-04", "finish": "2027-01-15"}),
            )
            .await,
            201,
        )
        .await;
        let s2 = json_ok(
            pm.post(
                &format!("/api/v1/projects/{p}/sprints"),
                json!({"name": "S2", "start": "2027-01-18", "finish": "2027-01-29"}),
            )
            .await,
            201,
        )
        .await;
        let (s1, s2) = (s(&s1["id"]), s(&s2["id"]));
        let card =
            |column: &str, text: &str, anonymous: bool| json!({"column": column, "text": text, "anonymous": anonymous});
        let good = json_ok(
            dev.post(&format!("/api/v1/sprints/{s1}/retro/items"), card("went_well", "Pairing on the API", false))
                .await,
            201,
        )
        .await;
        let slow = json_ok(
            dev.post(&format!("/api/v1/sprints/{s1}/retro/items"), card("to_improve", "Builds are slow", true)).await,
            201,
        )
        .await;
        let idea = json_ok(
            pm.post(&format!("/api/v1/sprints/{s1}/retro/items"), card("ideas", "Nightly builds", false)).await,
            201,
        )
        .await;
        assert_eq!(good["author_id"], dev_id.as_str());
        assert!(slow["author_id"].is_null() && slow["author_name"].is_null() && slow["anonymous"] == true);
        expect_error(
            viewer.post(&format!("/api/v1/sprints/{s1}/retro/items"), card("ideas", "x", false)).await,
            403,
            "forbidden",
        )
        .await;
        expect_error(
            dev.post(&format!("/api/v1/sprints/{s1}/retro/items"), json!({"column": "rants", "text": "x"})).await,
            422,
            "invalid_value",
        )
        .await;
        // The activity log does not tell who wrote the anonymous card.
        let log = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/activity?limit=50")).await, 200).await;
        let created: Vec<&Value> =
            log["items"].as_array().unwrap().iter().filter(|e| e["action"] == "retro_item.created").collect();
        let anon = created.iter().find(|e| e["subject_id"] == slow["id"]).unwrap();
        assert!(anon["actor_id"].is_null(), "{anon}");

        // Five dots each; the sixth is refused until one comes off.
        let vote = |id: &Value| format!("/api/v1/retro-items/{}/votes", s(id));
        for _ in 0..3 {
            json_ok(dev.post(&vote(&slow["id"]), json!({})).await, 200).await;
        }
        json_ok(dev.post(&vote(&idea["id"]), json!({})).await, 200).await;
        let last = json_ok(dev.post(&vote(&good["id"]), json!({})).await, 200).await;
        assert_eq!((last["votes"].as_i64(), last["my_votes"].as_i64()), (Some(1), Some(1)));
        expect_error(dev.post(&vote(&good["id"]), json!({})).await, 409, "conflict").await;
        json_ok(dev.delete(&vote(&good["id"])).await, 200).await;
        json_ok(pm.post(&vote(&slow["id"]), json!({})).await, 200).await;
        let board = json_ok(dev.get(&format!("/api/v1/sprints/{s1}/retro/items")).await, 200).await;
        assert_eq!(texts(&board["items"], "text"), ["Builds are slow", "Nightly builds", "Pairing on the API"]);
        assert_eq!((board["items"][0]["votes"].as_i64(), board["items"][0]["my_votes"].as_i64()), (Some(4), Some(3)));
        assert_eq!(board["dots_left"], 1);

        // The manager turns cards into a follow-up with an owner and a task.
        let act = |id: &Value| format!("/api/v1/retro-items/{}/action", s(id));
        let fu = json!({"kind": "follow_up", "title": "Cache the build", "owner_id": dev_id});
        expect_error(dev.post(&act(&slow["id"]), fu.clone()).await, 403, "forbidden").await;
        let done = json_ok(pm.post(&act(&slow["id"]), fu.clone()).await, 200).await;
        assert_eq!(done["action"], "follow_up");
        expect_error(pm.post(&act(&slow["id"]), fu).await, 409, "conflict").await;
        let t = json!({"kind": "task", "owner_id": dev_id, "due": "2027-01-29"});
        let t = json_ok(pm.post(&act(&idea["id"]), t).await, 200).await;
        let task = json_ok(pm.get(&format!("/api/v1/tasks/{}", s(&t["action_id"]))).await, 200).await;
        assert_eq!(task["name"], "Nightly builds");
        // The owner's resource does it, by the due day.
        let resources = json_ok(pm.get(&format!("/api/v1/workspaces/{ws}/resources")).await, 200).await;
        let mine = resources["items"].as_array().unwrap().iter().find(|r| r["user_id"] == dev_id.as_str()).unwrap();
        assert_eq!(task["assignments"][0]["resource_id"], mine["id"]);
        assert_eq!(task["deadline"], "2027-01-29T17:00:00");

        // The next retrospective shows them and how they stand.
        let next = json_ok(dev.get(&format!("/api/v1/sprints/{s2}/retro/items")).await, 200).await;
        assert_eq!(next["previous"]["name"], "S1");
        let st: Vec<(String, String, bool)> = next["previous"]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (s(&a["label"]), s(&a["status"]), a["done"].as_bool().unwrap()))
            .collect();
        assert_eq!(
            st,
            [
                ("Cache the build".into(), "Open".into(), false),
                (format!("{} Nightly builds", s(&task["key"])), "To do".into(), false)
            ]
        );
        // The owner finds it in My work (beside the demo's own).
        let mine = json_ok(dev.get(&format!("/api/v1/workspaces/{ws}/my-work")).await, 200).await;
        assert_eq!(
            texts(&mine["follow_ups"], "title"),
            ["Ask the provider for a sandbox status page", "Cache the build"]
        );
        let f = json_ok(pm.get(&format!("/api/v1/projects/{p}/follow-ups")).await, 200).await;
        let f0 = f["items"][0].clone();
        json_ok(
            dev.patch(&format!("/api/v1/follow-ups/{}", s(&f0["id"])), json!({"done": true, "version": f0["version"]}))
                .await,
            200,
        )
        .await;
        let next = json_ok(dev.get(&format!("/api/v1/sprints/{s2}/retro/items")).await, 200).await;
        assert_eq!(
            (next["previous"]["actions"][0]["status"].as_str(), next["previous"]["actions"][0]["done"].as_bool()),
            (Some("Done"), Some(true))
        );
        // Cards come off by their writer or the manager.
        expect_error(viewer.delete(&format!("/api/v1/retro-items/{}", s(&good["id"]))).await, 403, "forbidden").await;
        let r = dev.delete(&format!("/api/v1/retro-items/{}", s(&good["id"]))).await;
        assert_eq!(r.status(), 204);
    })
    .await;
}
