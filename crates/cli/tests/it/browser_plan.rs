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
    let p = crate::support::new_project(&api, &ws, "Crew", "CRW").await;

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

const ENTER: &str = "\u{E007}";
const TAB: &str = "\u{E004}";
const ESCAPE: &str = "\u{E00C}";
const UP: &str = "\u{E013}";
const DOWN: &str = "\u{E015}";
const RIGHT: &str = "\u{E014}";
const LEFT: &str = "\u{E012}";
/// Control held for the keys after it, up to `RELEASE`.
const CONTROL: &str = "\u{E009}";
const RELEASE: &str = "\u{E000}";

/// Types into whatever has the focus, as a person at the keyboard does.
async fn keys(b: &crate::browser::Browser, text: &str) {
    b.client.active_element().await.unwrap().send_keys(text).await.unwrap();
}

/// Waits until the sheet has loaded and every edit sent has come back.
async fn settle(b: &crate::browser::Browser) {
    for _ in 0..200 {
        let busy = b.client.find(Locator::Css("#sheet[data-ready='true'][data-busy='0']")).await.is_ok();
        if busy {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the sheet never settled");
}

/// Selects a row by clicking its ID cell.
async fn pick(b: &crate::browser::Browser, row: &str) {
    b.click(&format!("#sheet .srow[data-task='{row}'] .sh-cell[data-c='0']")).await;
}

async fn task_named(api: &crate::support::Api, p: &str, name: &str) -> Value {
    let tasks = ok(api.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
    tasks["items"].as_array().unwrap().iter().find(|t| t["name"] == name).cloned().unwrap_or(Value::Null)
}

async fn classes(b: &crate::browser::Browser, css: &str) -> String {
    b.client.find(Locator::Css(css)).await.unwrap().attr("class").await.unwrap().unwrap_or_default()
}

/// The story: a project manager builds a five-task plan from an
/// empty project with the keyboard grid and the Gantt chart only, and the
/// schedule is the one MS Project gives; a contributor may change only the
/// progress of her own task; a stakeholder sees no editing control.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_is_built_with_the_keyboard_grid_and_the_gantt() {
    let test = "a_plan_is_built_with_the_keyboard_grid_and_the_gantt";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let api = app.login_as(Role::ProjectManager).await;
    let p = crate::support::new_project(&api, &ws, "Sheet", "SHT").await;
    sign_in_as(&b, &app, Role::ProjectManager).await;
    b.client.goto(&app.url(&format!("/projects/{p}/tasks"))).await.unwrap();
    settle(&b).await;

    // Five tasks typed into the new row, one after another.
    pick(&b, "new").await;
    keys(&b, &format!("{RIGHT}{RIGHT}")).await;
    for name in ["Phase", "Design", "Build", "Test", "Launch"] {
        keys(&b, &format!("{name}{ENTER}")).await;
    }
    settle(&b).await;
    let tasks = ok(api.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
    let names: Vec<&str> = tasks["items"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Phase", "Design", "Build", "Test", "Launch"]);
    let id = |n: usize| tasks["items"][n]["id"].as_str().unwrap().to_owned();
    let (phase, design, build, test_task, launch) = (id(0), id(1), id(2), id(3), id(4));

    // Tab in the name column indents Design and Build under Phase.
    pick(&b, &design).await;
    keys(&b, &format!("{RIGHT}{RIGHT}{TAB}")).await;
    settle(&b).await;
    keys(&b, &format!("{DOWN}{TAB}")).await;
    settle(&b).await;
    let tasks = ok(api.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
    crate::support::assert_outline(
        tasks["items"].as_array().unwrap(),
        &[
            ("1", "Phase", "summary"),
            ("1.1", "Design", "task"),
            ("1.2", "Build", "task"),
            ("2", "Test", "task"),
            ("3", "Launch", "task"),
        ],
    );

    // Durations typed as MS Project takes them; 0 makes a milestone.
    keys(&b, &format!("{RIGHT}5d{ENTER}2d{ENTER}0{ENTER}{UP}{UP}{UP}{UP}3d{ENTER}")).await;
    settle(&b).await;
    assert_eq!(task_named(&api, &p, "Launch").await["kind"], "milestone");
    assert_eq!(task_named(&api, &p, "Design").await["duration_minutes"], 1440);
    assert_eq!(task_named(&api, &p, "Build").await["duration_minutes"], 2400);

    // Predecessors typed by task number: Build after Design (2FS), Launch after Test (4).
    keys(&b, &format!("{RIGHT}{RIGHT}{RIGHT}2FS{ENTER}{DOWN}4{ENTER}")).await;
    settle(&b).await;
    // A person at half time on Test.
    pick(&b, &test_task).await;
    keys(&b, &format!("{}Carlos Contributor[50%]{ENTER}", RIGHT.repeat(7))).await;
    settle(&b).await;
    let t = task_named(&api, &p, "Test").await;
    assert_eq!(t["assignments"][0]["units"], 50);
    assert_eq!(
        b.text(&format!("#sheet .srow[data-task='{test_task}'] .sh-cell[data-c='10']")).await,
        "Carlos Contributor"
    );

    // A link that closes a cycle is refused in place, naming the tasks; nothing is stored.
    pick(&b, &design).await;
    keys(&b, &format!("{}3{ENTER}", RIGHT.repeat(6))).await;
    settle(&b).await;
    let refusal = b.expect_text("#sheet .sheet-status", "cycle").await;
    assert!(refusal.contains("SHT-2 Design") && refusal.contains("SHT-3 Build"), "{refusal}");
    assert_eq!(classes(&b, ".sheet-editor").await, "sheet-editor");
    let invalid = b.client.find(Locator::Css(".sheet-editor[aria-invalid='true']")).await;
    assert!(invalid.is_ok(), "the refused value stays in its cell, marked");
    keys(&b, ESCAPE).await;
    let deps = ok(api.get(&format!("/api/v1/projects/{p}/dependencies")).await, 200).await;
    assert_eq!(deps["items"].as_array().unwrap().len(), 2);

    // An edit undone with Ctrl+Z.
    pick(&b, &build).await;
    keys(&b, &format!("{RIGHT}{RIGHT}{RIGHT}6d{ENTER}")).await;
    settle(&b).await;
    assert_eq!(task_named(&api, &p, "Build").await["duration_minutes"], 2880);
    keys(&b, &format!("{CONTROL}z{RELEASE}")).await;
    settle(&b).await;
    assert_eq!(task_named(&api, &p, "Build").await["duration_minutes"], 2400);
    // Insert adds a task above the selected one; Alt+Shift+↑ moves it up.
    pick(&b, &launch).await;
    keys(&b, "\u{E016}").await;
    settle(&b).await;
    keys(&b, &format!("Review{ENTER}")).await;
    settle(&b).await;
    let order = |t: &Value| -> Vec<String> {
        t["items"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap().to_owned()).collect()
    };
    let tasks = ok(api.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
    assert_eq!(order(&tasks), ["Phase", "Design", "Build", "Test", "Review", "Launch"]);
    let review = task_named(&api, &p, "Review").await["id"].as_str().unwrap().to_owned();
    pick(&b, &review).await;
    keys(&b, &format!("\u{E00A}\u{E008}{UP}{RELEASE}")).await;
    settle(&b).await;
    let tasks = ok(api.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
    assert_eq!(order(&tasks), ["Phase", "Design", "Build", "Review", "Test", "Launch"]);
    // Delete asks first; Ctrl+Z puts the task back in its place, with the
    // link out of it (Test after Review, SHT-6).
    keys(&b, &format!("{DOWN}{}6{ENTER}{UP}{UP}{}", RIGHT.repeat(6), LEFT.repeat(6))).await;
    settle(&b).await;
    let preds_of = |s: &Value, name: &str| {
        s["rows"].as_array().unwrap().iter().find(|r| r["name"] == name).map(|r| r["predecessors"].clone())
    };
    let sheet = ok(api.get(&format!("/projects/{p}/sheet.json")).await, 200).await;
    assert_eq!(preds_of(&sheet, "Test"), Some(json!("6")));
    keys(&b, "\u{E017}").await;
    b.client.accept_alert().await.unwrap();
    settle(&b).await;
    assert!(task_named(&api, &p, "Review").await.is_null());
    keys(&b, &format!("{CONTROL}z{RELEASE}")).await;
    settle(&b).await;
    let tasks = ok(api.get(&format!("/api/v1/projects/{p}/tasks")).await, 200).await;
    assert_eq!(order(&tasks), ["Phase", "Design", "Build", "Review", "Test", "Launch"]);
    let sheet = ok(api.get(&format!("/projects/{p}/sheet.json")).await, 200).await;
    assert_eq!(preds_of(&sheet, "Test"), Some(json!("7")), "the link came back to the new SHT-7");
    b.screenshot("53-sheet").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("53-sheet-390").await;
    b.client.set_window_size(1440, 900).await.unwrap();

    // The Gantt: link Build to Test by dragging from Build's dot onto Test's bar.
    b.client.goto(&app.url(&format!("/projects/{p}/gantt"))).await.unwrap();
    settle(&b).await;
    b.click("#sheet [data-zoom='day']").await;
    let from = b.client.find(Locator::Css(&format!("#sheet .bar[data-task='{build}'] .bar-link"))).await.unwrap();
    let to = b.client.find(Locator::Css(&format!("#sheet .bar[data-task='{test_task}']"))).await.unwrap();
    crate::browser::drag(&b, from, to).await;
    settle(&b).await;
    let deps = ok(api.get(&format!("/api/v1/projects/{p}/dependencies")).await, 200).await;
    let linked =
        deps["items"].as_array().unwrap().iter().any(|d| {
            d["predecessor_id"] == build.as_str() && d["successor_id"] == test_task.as_str() && d["type"] == "FS"
        });
    assert!(linked, "{deps}");

    // Move Test's bar four days later: a start-no-earlier-than constraint, as MS Project records it.
    let view = "const s = document.querySelector('#sheet .sheet-scroll'); return [s.scrollLeft, s.scrollTop];";
    // Scrolled so the drag stays inside the chart (a drag past its edge
    // scrolls it, as it should).
    b.client.execute("document.querySelector('#sheet .sheet-scroll').scrollLeft = 300", vec![]).await.unwrap();
    let before = b.client.execute(view, vec![]).await.unwrap();
    move_bar(&b, &test_task, 4.0 * 30.0).await;
    settle(&b).await;
    assert_eq!(b.client.execute(view, vec![]).await.unwrap(), before, "the view stays where it was");
    let t = task_named(&api, &p, "Test").await;
    assert_eq!(t["constraint"], json!({"type": "SNET", "date": "2027-01-18T08:00:00"}));
    // The keyboard does the same: Alt+→ moves a day, Ctrl+Z takes it back.
    pick(&b, &test_task).await;
    keys(&b, "\u{E00A}\u{E014}\u{E000}").await;
    settle(&b).await;
    assert_eq!(task_named(&api, &p, "Test").await["constraint"]["date"], "2027-01-19T08:00:00");
    keys(&b, &format!("{CONTROL}z{RELEASE}")).await;
    settle(&b).await;
    assert_eq!(task_named(&api, &p, "Test").await["constraint"]["date"], "2027-01-18T08:00:00");
    // Today falls before this plan's chart: no line strays into the table.
    assert!(b.client.find(Locator::Css("#sheet .vline.today")).await.is_err());
    b.screenshot("54-gantt-sheet").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("54-gantt-sheet-390").await;
    b.client.set_window_size(1440, 900).await.unwrap();

    // The dates MS Project gives this plan.
    let s = ok(api.get(&format!("/api/v1/projects/{p}/schedule")).await, 200).await;
    let dates = |id: &str| {
        let row = s["tasks"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap();
        (row["start"].as_str().unwrap().to_owned(), row["finish"].as_str().unwrap().to_owned())
    };
    let at = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(dates(&phase), at("2027-01-04T08:00:00", "2027-01-13T17:00:00"));
    assert_eq!(dates(&design), at("2027-01-04T08:00:00", "2027-01-06T17:00:00"));
    assert_eq!(dates(&build), at("2027-01-07T08:00:00", "2027-01-13T17:00:00"));
    assert_eq!(dates(&test_task), at("2027-01-18T08:00:00", "2027-01-19T17:00:00"));
    assert_eq!(dates(&launch), at("2027-01-19T17:00:00", "2027-01-19T17:00:00"));
    let errors: Vec<String> = b.console_errors().await.into_iter().filter(|e| !e.contains("status of 422")).collect();
    assert!(errors.is_empty(), "{errors:?}");

    // The contributor on Test may change its progress, and nothing else.
    sign_in_as(&b, &app, Role::Contributor).await;
    b.client.goto(&app.url(&format!("/projects/{p}/tasks"))).await.unwrap();
    settle(&b).await;
    assert!(b.client.find(Locator::Css("#sheet .srow.blank")).await.is_err(), "no new row for a contributor");
    assert!(
        classes(&b, &format!("#sheet .srow[data-task='{test_task}'] .sh-cell[data-c='8']")).await.contains("editable")
    );
    assert!(
        !classes(&b, &format!("#sheet .srow[data-task='{build}'] .sh-cell[data-c='8']")).await.contains("editable")
    );
    pick(&b, &test_task).await;
    keys(&b, &format!("{}40{ENTER}", RIGHT.repeat(8))).await;
    settle(&b).await;
    assert_eq!(task_named(&api, &p, "Test").await["percent_complete"], 40);
    keys(&b, &format!("{UP}{}X", LEFT.repeat(6))).await;
    b.expect_text("#sheet .sheet-status", "cannot be changed").await;
    assert_eq!(task_named(&api, &p, "Test").await["name"], "Test");

    // A stakeholder reads the plan and has nothing to change.
    sign_in_as(&b, &app, Role::Stakeholder).await;
    for page in ["tasks", "gantt"] {
        b.client.goto(&app.url(&format!("/projects/{p}/{page}"))).await.unwrap();
        settle(&b).await;
        b.expect_text("#sheet", "Design").await;
        for control in ["#sheet .sh-cell.editable", "#sheet .srow.blank", "#sheet .bar-end", "#sheet .bar-link"] {
            assert!(b.client.find(Locator::Css(control)).await.is_err(), "{control} shown to a stakeholder on {page}");
        }
        assert!(!b.client.find(Locator::Css("#sheet [data-act='undo']")).await.unwrap().is_displayed().await.unwrap());
    }
    b.close().await;
    db.destroy().await;
}

/// Drags a task's bar sideways by `dx` pixels.
async fn move_bar(b: &crate::browser::Browser, task: &str, dx: f64) {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
    let bar = b.client.find(Locator::Css(&format!("#sheet .bar[data-task='{task}']"))).await.unwrap();
    let actions = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: bar, duration: None, x: 0.0, y: 0.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveBy { duration: Some(std::time::Duration::from_millis(200)), x: dx / 2.0, y: 0.0 })
        .then(PointerAction::MoveBy { duration: Some(std::time::Duration::from_millis(200)), x: dx / 2.0, y: 0.0 })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    b.client.perform_actions(actions).await.unwrap();
}
