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
    })
    .await;
}
