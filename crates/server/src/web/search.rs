//! The search page (`/search?q=`), which reads without JavaScript, and
//! the data behind the command palette (`/search.json?q=`): the pages
//! whose names hold the words, and the objects the API's search finds.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tandem_app::ops::search::{self, SearchItem};
use tandem_core::Id;
use tandem_core::model::Membership;
use tandem_core::search::Query as Words;

use super::nav::{PRODUCT_TABS, PROJECT_TABS, label};
use super::{PageResult, PageUser, Shell, on, render};
use crate::error::ApiError;
use crate::state::AppState;
use tandem_core::views::ViewPage;

#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    /// One kind, from the page's filter (blank for all).
    #[serde(rename = "type", default)]
    kind: String,
    /// The workspace the search was made from, to keep its navigation.
    w: Option<i64>,
}

/// A page the palette can jump to.
#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub title: String,
    /// Where it is: the workspace, product or project.
    pub context: String,
    pub url: String,
}

/// The most pages listed for one search.
const MAX_PAGES: usize = 8;

/// The pages of every workspace the caller is in whose title and context
/// hold every word (as the start of a word).
async fn pages(
    state: &AppState,
    user: Id,
    memberships: &[Membership],
    words: &Words,
) -> Result<Vec<PageLink>, ApiError> {
    let hit = |title: &str, context: &str| {
        let text = format!("{title} {context}").to_lowercase();
        let have: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
        words.terms.iter().all(|t| have.iter().any(|w| w.starts_with(t.as_str())))
    };
    let mut out = Vec::new();
    let mut push = |title: &str, context: &str, url: String| {
        if out.len() < MAX_PAGES && hit(title, context) {
            out.push(PageLink { title: title.to_owned(), context: context.to_owned(), url });
        }
    };
    for (title, url) in [
        ("Notifications", "/notifications"),
        ("Your preferences", "/settings/profile"),
        ("API tokens", "/settings/tokens"),
    ] {
        push(title, "Account", url.to_owned());
    }
    for m in memberships {
        let (ws, name) = (m.workspace.id, m.workspace.name.as_str());
        for (title, path) in [
            ("Home", ""),
            ("Products", "/product"),
            ("Projects", "/project"),
            ("Together", "/together"),
            ("Decision log", "/decisions"),
            ("Portfolio", "/portfolio"),
            ("Timesheet", "/timesheet"),
            ("Settings", "/settings"),
            ("Members", "/settings/members"),
            ("Decision rights", "/settings/decision-rights"),
        ] {
            push(title, name, format!("/w/{ws}{path}"));
        }
        let products = state.store.products(ws, None, tandem_store::MAX_PAGE).await?.items;
        let projects = state.store.projects(ws, None, tandem_store::MAX_PAGE).await?.items;
        for product in &products {
            let context = format!("{} {}", product.key, product.name);
            for (_, suffix, label, _) in PRODUCT_TABS {
                push(label, &context, format!("/products/{}{suffix}", product.id));
            }
        }
        for project in &projects {
            let context = format!("{} {}", project.key, project.name);
            for (_, suffix, label, _) in PROJECT_TABS {
                push(label, &context, format!("/projects/{}{suffix}", project.id));
            }
        }
        // Saved views, on each product's or project's list they filter.
        for v in state.store.views(ws, user, None).await? {
            let page = v.page.as_str();
            let query = if v.query.is_empty() { String::new() } else { format!("?{}", v.query) };
            if matches!(v.page, ViewPage::Backlog | ViewPage::Feedback) {
                for product in &products {
                    let context = format!("{} view · {} {}", label(PRODUCT_TABS, page), product.key, product.name);
                    push(&v.name, &context, format!("/products/{}/{page}{query}", product.id));
                }
            } else {
                for project in &projects {
                    let context = format!("{} view · {} {}", label(PROJECT_TABS, page), project.key, project.name);
                    push(&v.name, &context, format!("/projects/{}/{page}{query}", project.id));
                }
            }
        }
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    shell: Shell,
    q: String,
    kind: String,
    w: Option<i64>,
    pages: Vec<PageLink>,
    items: Vec<SearchItem>,
    /// Why the words could not be searched for.
    problem: Option<String>,
}

impl SearchPage {
    fn kinds(&self) -> Vec<(&'static str, String)> {
        tandem_core::search::SearchKind::ALL.iter().map(|k| (k.as_str(), k.label().into_owned())).collect()
    }
}

pub async fn search_page(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(f): Query<SearchForm>,
) -> PageResult {
    let path = "/search";
    // The workspace searched from keeps its navigation; else the first.
    let first = state.store.memberships(p.id()).await.map_err(on(path))?.first().map(|m| m.workspace.id);
    let shell = Shell::new(&state, &p, f.w.map(Id).or(first), "search", "Search").await.map_err(on(path))?;
    let (mut pages_found, mut items, mut problem) = (Vec::new(), Vec::new(), None);
    if !f.q.trim().is_empty() {
        let kind = (!f.kind.is_empty()).then_some(f.kind.as_str());
        match search::search(&state, p.id(), &f.q, kind, Some(tandem_core::search::MAX_LIMIT)).await {
            Ok(found) => items = found.items,
            Err(tandem_app::AppError::Invalid(i)) => problem = Some(i.message),
            Err(e) => return Err(on(path)(e)),
        }
        if kind.is_none()
            && let Ok(words) = Words::parse("q", &f.q)
        {
            pages_found = pages(&state, p.id(), &shell.workspaces, &words).await.map_err(on(path))?;
        }
    }
    let page = SearchPage { shell, q: f.q, kind: f.kind, w: f.w, pages: pages_found, items, problem };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Serialize)]
pub struct PaletteData {
    pages: Vec<PageLink>,
    items: Vec<SearchItem>,
}

/// The palette's answer: at most eight pages and ten objects.
pub async fn search_json(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(f): Query<SearchForm>,
) -> Result<Json<PaletteData>, ApiError> {
    let words = Words::parse("q", &f.q)?;
    let memberships = state.store.memberships(p.id()).await?;
    let pages = pages(&state, p.id(), &memberships, &words).await?;
    let items = search::search(&state, p.id(), &f.q, None, Some(10)).await?.items;
    Ok(Json(PaletteData { pages, items }))
}
