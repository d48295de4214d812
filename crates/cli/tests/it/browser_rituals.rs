//! Team rituals in the browser: a contributor adds a line and raises a
//! blocker at the stand-up, the project manager turns it into a follow-up;
//! a retrospective card is added anonymously, dotted and made a follow-up,
//! beside the last retrospective's actions; the finished sprint's review.

use tandem_core::Role;

use crate::browser::{choose, demo_in_browser, sign_in_as};
use crate::browser_tour::{NARROW, WIDE, set_width};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_runs_its_standup_and_retro_in_the_browser() {
    let test = "a_team_runs_its_standup_and_retro_in_the_browser";
    let Some((b, db, app, ws)) = demo_in_browser(test).await else { return };
    let ws_id: tandem_core::Id = ws.parse().unwrap();
    let p = app.state.store.projects_by_key(Some(ws_id), "CKT").await.unwrap().remove(0).id;
    let sprints = app.state.store.sprints(p).await.unwrap();
    let (s1, s2) = (sprints[0].id, sprints[1].id);
    let dev = app.state.store.user_by_email("dev@demo.example").await.unwrap().unwrap().id;
    let task =
        app.state.store.tasks(p).await.unwrap().into_iter().find(|t| t.sprint_id == Some(s2) && !t.is_done()).unwrap();
    set_width(&b, WIDE).await;

    // The contributor adds a line that marks a task as blocking them.
    sign_in_as(&b, &app, Role::Contributor).await;
    b.client.goto(&app.url(&format!("/projects/{p}"))).await.unwrap();
    b.click("nav.subnav a[href$='/standup']").await;
    b.expect_text("main h1", "Stand-up ·").await;
    let me = format!("#person-{dev}");
    b.fill(&format!("{me} input[name=text]"), "Waiting on the wallet certificate").await;
    choose(&b, &me, "blocker_task_id", &task.id.to_string()).await;
    b.click(&format!("{me} form.stack button[type=submit]")).await;
    b.expect_text(&me, "raised at the stand-up: Waiting on the wallet certificate").await;
    assert!(b.text("#standup-summary").await.contains("blocker"));
    b.screenshot("standup-01-contributor").await;
    set_width(&b, NARROW).await;
    b.screenshot("standup-01-contributor-narrow").await;
    set_width(&b, WIDE).await;

    // The project manager turns that blocker into a follow-up.
    sign_in_as(&b, &app, Role::ProjectManager).await;
    b.client.goto(&app.url(&format!("/projects/{p}/standup"))).await.unwrap();
    let raised = format!("#blocker-raised-{}-{dev}", task.id);
    choose(&b, &raised, "make", "follow_up").await;
    b.click(&format!("{raised} button[type=submit]")).await;
    b.expect_text(&raised, "Follow-up").await;
    b.expect_text("#follow-ups", &format!("Blocked: {} {}", task.key, task.name)).await;
    b.screenshot("standup-02-manager").await;
    set_width(&b, NARROW).await;
    b.screenshot("standup-02-manager-narrow").await;
    set_width(&b, WIDE).await;

    // The active sprint's retrospective, with the last one's actions.
    b.client.goto(&app.url(&format!("/projects/{p}/sprints"))).await.unwrap();
    b.click(&format!("a[href='/sprints/{s2}/retro']")).await;
    b.expect_text("main h1", "retrospective").await;
    b.expect_text("#previous-actions", "Ask the provider for a sandbox status page").await;
    let col = "section[aria-labelledby=col-to_improve]";
    b.fill(&format!("{col} textarea[name=text]"), "Reviews wait a day for a second reader").await;
    b.click(&format!("{col} input[name=anonymous]")).await;
    b.click(&format!("{col} form.stack button[type=submit]")).await;
    let card = b.expect_text(col, "Reviews wait a day for a second reader").await;
    assert!(card.contains("Anonymous"), "{card}");
    b.click(&format!("{col} li:first-child button[value=add]")).await;
    b.expect_text(&format!("{col} li:first-child"), "1 dot").await;
    b.expect_text("#dots", "4 of 5").await;
    choose(&b, &format!("{col} li:first-child"), "owner_id", &dev.to_string()).await;
    b.click(&format!("{col} li:first-child button[value=follow_up]")).await;
    b.expect_text(&format!("{col} li:first-child"), "→ Follow-up: Reviews wait a day").await;
    b.screenshot("retro-01-board").await;
    set_width(&b, NARROW).await;
    b.screenshot("retro-01-board-narrow").await;
    set_width(&b, WIDE).await;

    // The finished sprint's review, with the product side's verdict.
    b.client.goto(&app.url(&format!("/sprints/{s1}/review"))).await.unwrap();
    b.expect_text("#review-figures", "Completed").await;
    b.expect_text("#review-items", "Accepted").await;
    b.expect_text("#demo", "Showed the cart").await;
    b.screenshot("review-01-sprint").await;
    set_width(&b, NARROW).await;
    b.screenshot("review-01-sprint-narrow").await;
    assert!(b.console_errors().await.is_empty(), "{:?}", b.console_errors().await);
    b.close().await;
    db.destroy().await;
}
