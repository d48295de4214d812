//! Comments in Markdown on product-side objects. Every member of the
//! object's workspace may comment; authors (and admins) edit and delete.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tandem_core::model::Comment;
use tandem_core::{Id, ProductAction, Role, validate};
use tandem_store::comments::Subject;
use tandem_store::product::ProductObject;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use super::product::on;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, PageQuery, expected_version};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// Markdown.
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditComment {
    pub body: String,
    /// The version read; or send it in `If-Match`.
    pub version: Option<i64>,
}

/// The word stored for each kind of subject.
pub fn subject_word(kind: ProductObject) -> &'static str {
    match kind {
        ProductObject::Product => "product",
        ProductObject::Feature => "feature",
        ProductObject::Feedback => "feedback",
        ProductObject::Release => "release",
        ProductObject::Objective => "objective",
        ProductObject::KeyResult => "key_result",
        ProductObject::Competitor => "competitor",
        ProductObject::MetricSeries => "metric",
    }
}

pub async fn list(
    state: &AppState,
    p: &Principal,
    kind: ProductObject,
    path: &IdPath,
    q: &PageQuery,
) -> Result<List<Comment>, ApiError> {
    let (_, id) = on(state, p, kind, path, ProductAction::Read).await?;
    Ok(state.store.comments(subject_word(kind), id, q.cursor()?, q.limit()?).await?.into())
}

/// Adds a comment as the caller on the object `id` of `kind`.
pub async fn add(
    state: &AppState,
    p: &Principal,
    kind: ProductObject,
    id: Id,
    body: &str,
) -> Result<Comment, ApiError> {
    let a = crate::access::product_access(state, p, kind, id, ProductAction::Comment).await?;
    let body = validate::required_text("body", body)?;
    let subject = Subject { workspace_id: a.scope.workspace_id, kind: subject_word(kind), id };
    Ok(state.store.add_comment(a.user_id, subject, &body, state.clock.now()).await?)
}

macro_rules! comment_handlers {
    ($list:ident, $create:ident, $path:literal, $kind:expr) => {
        #[utoipa::path(get, path = $path, tag = "comments", params(("id" = String, Path), PageQuery),
            responses((status = 200, body = List<Comment>), (status = 404, body = ErrorBody)))]
        async fn $list(
            State(state): State<AppState>,
            p: Principal,
            Path(path): Path<IdPath>,
            ApiQuery(q): ApiQuery<PageQuery>,
        ) -> ApiResult<Json<List<Comment>>> {
            Ok(Json(list(&state, &p, $kind, &path, &q).await?))
        }

        /// Comments on the object; every member of its workspace may.
        #[utoipa::path(post, path = $path, tag = "comments", params(("id" = String, Path)), request_body = NewComment,
            responses((status = 201, body = Comment), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
        async fn $create(
            State(state): State<AppState>,
            p: Principal,
            Path(path): Path<IdPath>,
            ApiJson(req): ApiJson<NewComment>,
        ) -> ApiResult<(StatusCode, Json<Comment>)> {
            Ok((StatusCode::CREATED, Json(add(&state, &p, $kind, path.id()?, &req.body).await?)))
        }
    };
}

comment_handlers!(list_product_comments, add_product_comment, "/products/{id}/comments", ProductObject::Product);
comment_handlers!(list_feature_comments, add_feature_comment, "/features/{id}/comments", ProductObject::Feature);
comment_handlers!(list_feedback_comments, add_feedback_comment, "/feedback/{id}/comments", ProductObject::Feedback);
comment_handlers!(list_release_comments, add_release_comment, "/releases/{id}/comments", ProductObject::Release);
comment_handlers!(
    list_objective_comments,
    add_objective_comment,
    "/objectives/{id}/comments",
    ProductObject::Objective
);

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_product_comments, add_product_comment))
        .routes(routes!(list_feature_comments, add_feature_comment))
        .routes(routes!(list_feedback_comments, add_feedback_comment))
        .routes(routes!(list_release_comments, add_release_comment))
        .routes(routes!(list_objective_comments, add_objective_comment))
        .routes(routes!(edit_comment, delete_comment))
}

/// The comment, if the caller wrote it or is an admin of its workspace.
async fn own_comment(state: &AppState, p: &Principal, c: Id) -> Result<Comment, ApiError> {
    let (comment, ws) = state.store.comment(c).await?;
    let role = state.store.role_in(ws, p.id()).await?.ok_or(ApiError::NotFound)?;
    if comment.author_id == Some(p.id()) || role == Role::Admin { Ok(comment) } else { Err(ApiError::Forbidden) }
}

/// Edits a comment (its author, or an admin).
#[utoipa::path(patch, path = "/comments/{id}", tag = "comments", params(("id" = String, Path)), request_body = EditComment,
    responses((status = 200, body = Comment), (status = 403, body = ErrorBody), (status = 412, body = ErrorBody)))]
async fn edit_comment(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<EditComment>,
) -> ApiResult<Json<Comment>> {
    let id = path.id()?;
    own_comment(&state, &p, id).await?;
    let version = expected_version(req.version, &headers)?;
    let body = validate::required_text("body", &req.body)?;
    Ok(Json(state.store.edit_comment(p.id(), id, version, &body, state.clock.now()).await?))
}

/// Deletes a comment (its author, or an admin).
#[utoipa::path(delete, path = "/comments/{id}", tag = "comments", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_comment(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let id = path.id()?;
    own_comment(&state, &p, id).await?;
    state.store.delete_comment(p.id(), id, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
