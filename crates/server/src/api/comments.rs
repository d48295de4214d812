//! Comments in Markdown on product-side objects. Every member of the
//! object's workspace may comment; authors (and admins) edit and delete.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use tandem_app::ops::comments::{self, EditComment, NewComment, ProjectObject};
use tandem_core::Id;
use tandem_core::model::Comment;
use tandem_store::product::ProductObject;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::List;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdPath, PageQuery, expected_version};
use crate::state::AppState;

pub async fn list(
    state: &AppState,
    p: &Principal,
    kind: ProductObject,
    path: &IdPath,
    q: &PageQuery,
) -> Result<List<Comment>, ApiError> {
    // Access first: an object the caller may not read is 404 whatever the query.
    let t = comments::thread(state, p.id(), kind, path.id()?).await?;
    Ok(comments::list(state, &t, q.cursor()?, q.limit()?).await?.into())
}

/// Adds a comment as the caller on the object `id` of `kind`.
pub async fn add(
    state: &AppState,
    p: &Principal,
    kind: ProductObject,
    id: Id,
    body: &str,
) -> Result<Comment, ApiError> {
    Ok(comments::add(state, &p.user, kind, id, body).await?)
}

/// The list and create handlers of one kind of object, over the functions
/// that resolve and check it (`list`/`add` on the product side,
/// `list_on_project`/`add_on_project` on the project side).
macro_rules! comment_handlers {
    ($list:ident, $create:ident, $path:literal, $lister:ident, $adder:ident, $kind:expr) => {
        #[utoipa::path(get, path = $path, tag = "comments", params(("id" = String, Path), PageQuery),
            responses((status = 200, body = List<Comment>), (status = 404, body = ErrorBody)))]
        async fn $list(
            State(state): State<AppState>,
            p: Principal,
            Path(path): Path<IdPath>,
            ApiQuery(q): ApiQuery<PageQuery>,
        ) -> ApiResult<Json<List<Comment>>> {
            Ok(Json($lister(&state, &p, $kind, &path, &q).await?))
        }

        /// Comments on the object (Markdown; `@name` or `@e-mail` notifies
        /// that member); every member of its workspace may.
        #[utoipa::path(post, path = $path, tag = "comments", params(("id" = String, Path)), request_body = NewComment,
            responses((status = 201, body = Comment), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
        async fn $create(
            State(state): State<AppState>,
            p: Principal,
            Path(path): Path<IdPath>,
            ApiJson(req): ApiJson<NewComment>,
        ) -> ApiResult<(StatusCode, Json<Comment>)> {
            Ok((StatusCode::CREATED, Json($adder(&state, &p, $kind, path.id()?, &req.body).await?)))
        }
    };
}

comment_handlers!(
    list_product_comments,
    add_product_comment,
    "/products/{id}/comments",
    list,
    add,
    ProductObject::Product
);
comment_handlers!(
    list_feature_comments,
    add_feature_comment,
    "/features/{id}/comments",
    list,
    add,
    ProductObject::Feature
);
comment_handlers!(
    list_feedback_comments,
    add_feedback_comment,
    "/feedback/{id}/comments",
    list,
    add,
    ProductObject::Feedback
);
comment_handlers!(
    list_release_comments,
    add_release_comment,
    "/releases/{id}/comments",
    list,
    add,
    ProductObject::Release
);
comment_handlers!(
    list_objective_comments,
    add_objective_comment,
    "/objectives/{id}/comments",
    list,
    add,
    ProductObject::Objective
);

/// Comments on a project-side object, oldest first.
pub async fn list_on_project(
    state: &AppState,
    p: &Principal,
    kind: ProjectObject,
    path: &IdPath,
    q: &PageQuery,
) -> Result<List<Comment>, ApiError> {
    let t = comments::project_thread(state, p.id(), kind, path.id()?).await?;
    Ok(comments::list(state, &t, q.cursor()?, q.limit()?).await?.into())
}

/// Adds a comment on a project-side object; every member may.
pub async fn add_on_project(
    state: &AppState,
    p: &Principal,
    kind: ProjectObject,
    id: Id,
    body: &str,
) -> Result<Comment, ApiError> {
    Ok(comments::add_on_project(state, &p.user, kind, id, body).await?)
}

comment_handlers!(
    list_project_comments,
    add_project_comment,
    "/projects/{id}/comments",
    list_on_project,
    add_on_project,
    ProjectObject::Project
);
comment_handlers!(
    list_task_comments,
    add_task_comment,
    "/tasks/{id}/comments",
    list_on_project,
    add_on_project,
    ProjectObject::Task
);
comment_handlers!(
    list_risk_comments,
    add_risk_comment,
    "/risks/{id}/comments",
    list_on_project,
    add_on_project,
    ProjectObject::Risk
);
comment_handlers!(
    list_change_request_comments,
    add_change_request_comment,
    "/change-requests/{id}/comments",
    list_on_project,
    add_on_project,
    ProjectObject::ChangeRequest
);

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_project_comments, add_project_comment))
        .routes(routes!(list_task_comments, add_task_comment))
        .routes(routes!(list_risk_comments, add_risk_comment))
        .routes(routes!(list_change_request_comments, add_change_request_comment))
        .routes(routes!(list_product_comments, add_product_comment))
        .routes(routes!(list_feature_comments, add_feature_comment))
        .routes(routes!(list_feedback_comments, add_feedback_comment))
        .routes(routes!(list_release_comments, add_release_comment))
        .routes(routes!(list_objective_comments, add_objective_comment))
        .routes(routes!(edit_comment, delete_comment))
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
    let own = comments::own_comment(&state, p.id(), path.id()?).await?;
    let version = expected_version(req.version, &headers)?;
    Ok(Json(comments::edit(&state, &own, version, &req.body).await?))
}

/// Deletes a comment (its author, or an admin).
#[utoipa::path(delete, path = "/comments/{id}", tag = "comments", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_comment(
    State(state): State<AppState>,
    p: Principal,
    Path(path): Path<IdPath>,
) -> ApiResult<StatusCode> {
    let own = comments::own_comment(&state, p.id(), path.id()?).await?;
    comments::delete(&state, &own).await?;
    Ok(StatusCode::NO_CONTENT)
}
