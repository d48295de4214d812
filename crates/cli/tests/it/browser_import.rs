//! Importing a plan in the browser: a project manager opens an empty
//! project, chooses a Windows-1252 CSV, is told line by line that it is
//! not UTF-8, picks the encoding without choosing the file again, sees
//! the preview (columns, first tasks) and imports it; a hostile file lists
//! each problem with where it is.

use fantoccini::Locator;
use tandem_core::Role;

use crate::browser::{choose, demo_in_browser, sign_in_as};
use crate::browser_tour::{NARROW, WIDE, set_width};
use crate::support::new_project;

fn fixture(name: &str) -> String {
    let path = format!("{}/../formats/tests/fixtures/redteam/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::canonicalize(path).unwrap().to_string_lossy().into_owned()
}

async fn choose_file(b: &crate::browser::Browser, form: &str, name: &str) {
    let input = b.client.find(Locator::Css(&format!("{form} input[type=file]"))).await.unwrap();
    input.send_keys(&fixture(name)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_is_previewed_and_imported_in_the_browser() {
    let test = "a_plan_is_previewed_and_imported_in_the_browser";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let pm = app.login_as(Role::ProjectManager).await;
    let empty = new_project(&pm, &ws, "Website relaunch", "WEB").await;
    set_width(&b, WIDE).await;
    sign_in_as(&b, &app, Role::ProjectManager).await;

    // The empty task list offers the import.
    b.client.goto(&app.url(&format!("/projects/{empty}/tasks"))).await.unwrap();
    b.click("main a[href$='/import']").await;
    b.expect_text("main h1", "Import a plan").await;

    // A Windows-1252 file read as UTF-8: refused with its line, the file
    // kept for another try.
    choose_file(&b, "#preview-form", "cp1252_whole_file.csv").await;
    b.click("#preview-form button[type=submit]").await;
    let problems = b.expect_text(".import-problems", "Not imported, nothing was stored").await;
    assert!(problems.contains("Line 2") && problems.contains("not UTF-8"), "{problems}");
    b.screenshot("import-01-refused").await;
    choose(&b, "#preview-form", "encoding", "windows-1252").await;
    b.click("#preview-form button[type=submit]").await;

    // The preview: what each column becomes, the first tasks, nothing stored.
    let preview = b.expect_text("main", "What cp1252_whole_file.csv becomes").await;
    assert!(preview.contains("Résumé review") && preview.contains("Straße – dash"), "{preview}");
    assert!(preview.contains("Task notes"), "the Description column: {preview}");
    assert!(app.state.store.tasks(empty.parse().unwrap()).await.unwrap().is_empty(), "a preview stores nothing");
    b.screenshot("import-02-preview").await;
    set_width(&b, NARROW).await;
    b.screenshot("import-02-preview-narrow").await;
    set_width(&b, WIDE).await;
    b.click("#import-form button[type=submit]").await;
    let done = b.expect_text("main .flash", "Imported 2 tasks").await;
    assert!(done.contains("Open the tasks"), "{done}");
    b.screenshot("import-03-imported").await;
    let tasks = app.state.store.tasks(empty.parse().unwrap()).await.unwrap();
    assert_eq!(tasks[0].name, "Résumé review");

    // A hostile board: every problem listed with its JSON pointer.
    let other = new_project(&pm, &ws, "Board", "BRD").await;
    b.client.goto(&app.url(&format!("/projects/{other}/import"))).await.unwrap();
    choose_file(&b, "#preview-form", "trello_wrong_types.json").await;
    b.click("#preview-form button[type=submit]").await;
    let problems = b.expect_text(".import-problems", "nothing was stored").await;
    assert!(problems.contains('/'), "a JSON pointer: {problems}");

    // A project with tasks says why it takes no import.
    b.client.goto(&app.url(&format!("/projects/{empty}/import"))).await.unwrap();
    b.expect_text("main .alert", "already has 2 tasks").await;

    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    b.close().await;
    db.destroy().await;
}
