//! Saved views: who sees, saves, changes and removes them.

use serde::Deserialize;
use tandem_core::views::{self, SavedView, ViewPage};
use tandem_core::{Id, access};
use tandem_store::views::{ViewDraft, ViewEdit};
use utoipa::ToSchema;

use crate::App;
use crate::error::AppError;

/// `POST /workspaces/{ws}/views`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewView {
    pub page: ViewPage,
    pub name: String,
    /// The page's query, as its address carries it; none for the page as is.
    pub query: Option<String>,
    /// Listed for every member (default: only for its owner).
    pub shared: Option<bool>,
}

/// `PATCH /views/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditView {
    pub name: Option<String>,
    pub query: Option<String>,
    pub shared: Option<bool>,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

/// The page named in a listing's `page` (none: every page).
pub fn page(raw: Option<&str>) -> Result<Option<ViewPage>, AppError> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => ViewPage::parse(p)
            .map(Some)
            .ok_or_else(|| AppError::invalid("page", format!("one of {}", ViewPage::words()))),
    }
}

/// The views of workspace `ws` its member `user` sees: their own and the
/// shared ones.
pub async fn list(state: &App, ws: Id, user: Id, page: Option<ViewPage>) -> Result<Vec<SavedView>, AppError> {
    Ok(state.store.views(ws, user, page).await?)
}

/// Saves a view for its member `user`; every member may.
pub async fn create(state: &App, ws: Id, user: Id, req: NewView) -> Result<SavedView, AppError> {
    let draft = ViewDraft {
        page: req.page,
        name: views::name(&req.name)?,
        query: views::query(req.query.as_deref().unwrap_or(""))?,
        shared: req.shared.unwrap_or(false),
    };
    Ok(state.store.create_view(ws, user, &draft, state.clock.now()).await?)
}

/// The view `id` if the caller sees it: not found for another
/// workspace's or someone else's private one.
pub async fn readable(state: &App, user: Id, id: Id) -> Result<SavedView, AppError> {
    let v = state.store.view(id).await?;
    state.store.role_in(v.workspace_id, user).await?.ok_or(AppError::NotFound)?;
    if v.owner_id != user && !v.shared {
        return Err(AppError::NotFound);
    }
    Ok(v)
}

/// The view `id` if the caller may change it: its owner, or an admin of
/// its workspace (forbidden for others who see it).
async fn own(state: &App, user: Id, id: Id) -> Result<SavedView, AppError> {
    let v = readable(state, user, id).await?;
    let role = state.store.role_in(v.workspace_id, user).await?.ok_or(AppError::NotFound)?;
    if access::may_edit_view(role, v.owner_id == user) { Ok(v) } else { Err(AppError::Forbidden) }
}

pub async fn edit(state: &App, user: Id, id: Id, version: i64, req: EditView) -> Result<SavedView, AppError> {
    let v = own(state, user, id).await?;
    let edit = ViewEdit {
        name: req.name.as_deref().map(views::name).transpose()?,
        query: req.query.as_deref().map(views::query).transpose()?,
        shared: req.shared,
    };
    Ok(state.store.edit_view(user, v.id, version, &edit, state.clock.now()).await?)
}

pub async fn delete(state: &App, user: Id, id: Id) -> Result<(), AppError> {
    let v = own(state, user, id).await?;
    Ok(state.store.delete_view(user, v.id, state.clock.now()).await?)
}
