//! Comments in Markdown on product-side objects. Every member of the
//! object's workspace may comment; authors (and admins) edit and delete.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tandem_core::model::Comment;
use tandem_core::{Id, ProductAction, ProjectAction, Role, validate};
use tandem_store::comments::Subject;
use tandem_store::notifications::Notice;
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
    let a = crate::access::product_access(state, p.id(), kind, id, ProductAction::Comment).await?;
    let body = validate::required_text("body", body)?;
    let subject = Subject { workspace_id: a.scope.workspace_id, kind: subject_word(kind), id };
    let product = a.scope.product_id;
    let link = match kind {
        ProductObject::Feature => format!("/features/{id}"),
        ProductObject::Feedback => format!("/products/{product}/feedback"),
        ProductObject::Release => format!("/products/{product}/releases"),
        ProductObject::Objective | ProductObject::KeyResult => format!("/products/{product}/okrs"),
        ProductObject::Competitor => format!("/products/{product}/competitors"),
        ProductObject::MetricSeries => format!("/products/{product}/metrics"),
        ProductObject::Product => format!("/products/{product}"),
    };
    let notices = mention_notices(state, p, subject, &body, &link).await?;
    Ok(state.store.add_comment(a.user_id, subject, &body, &notices, state.clock.now()).await?)
}

/// The notifications of the members a comment @-mentions: by e-mail
/// address or by its part before the `@` when only one member has it.
pub async fn mention_notices(
    state: &AppState,
    p: &Principal,
    subject: Subject,
    body: &str,
    link: &str,
) -> Result<Vec<Notice>, ApiError> {
    let handles = tandem_core::markdown::mentions(body);
    if handles.is_empty() {
        return Ok(Vec::new());
    }
    let members = state.store.members(subject.workspace_id, None, tandem_store::MAX_PAGE).await?.items;
    let local = |e: &str| e.split('@').next().unwrap_or("").to_lowercase();
    let excerpt: String = body.chars().take(120).collect();
    let mut out: Vec<Notice> = Vec::new();
    for h in handles {
        let by_email = members.iter().find(|m| m.email.to_lowercase() == h);
        let by_local: Vec<_> = members.iter().filter(|m| local(&m.email) == h).collect();
        let found = by_email.or(if by_local.len() == 1 { by_local.first().copied() } else { None });
        if let Some(m) = found
            && m.user_id != p.id()
            && !out.iter().any(|n| n.user_id == m.user_id)
        {
            out.push(Notice {
                user_id: m.user_id,
                reason: "mention",
                subject_type: subject.kind.to_owned(),
                subject_id: subject.id,
                text: format!("{} mentioned you: {excerpt}", p.user.name),
                link: link.to_owned(),
            });
        }
    }
    Ok(out)
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

/// Project-side objects that take comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectObject {
    Project,
    Task,
    Risk,
    ChangeRequest,
}

impl ProjectObject {
    fn word(self) -> &'static str {
        match self {
            ProjectObject::Project => "project",
            ProjectObject::Task => "task",
            ProjectObject::Risk => "risk",
            ProjectObject::ChangeRequest => "change_request",
        }
    }
}

/// The project an object is in (404 for none or another workspace's), the
/// caller's access there, and the page about the object.
async fn on_project_object(
    state: &AppState,
    p: &Principal,
    kind: ProjectObject,
    id: Id,
) -> Result<(crate::access::InProject, String), ApiError> {
    let project = match kind {
        ProjectObject::Project => id,
        ProjectObject::Task => state.store.task_project(id).await?,
        ProjectObject::Risk => state.store.risk(id).await?.project_id,
        ProjectObject::ChangeRequest => state.store.change_request(id).await?.cr.project_id,
    };
    let a = crate::access::project_access(state, p.id(), project, ProjectAction::Read).await?;
    let link = match kind {
        ProjectObject::Project => format!("/projects/{project}"),
        ProjectObject::Task => format!("/projects/{project}/tasks#task-{id}"),
        ProjectObject::Risk => format!("/projects/{project}/risks"),
        ProjectObject::ChangeRequest => format!("/projects/{project}/changes#cr-{id}"),
    };
    Ok((a, link))
}

/// Comments on a project-side object, oldest first.
pub async fn list_on_project(
    state: &AppState,
    p: &Principal,
    kind: ProjectObject,
    path: &IdPath,
    q: &PageQuery,
) -> Result<List<Comment>, ApiError> {
    let id = path.id()?;
    on_project_object(state, p, kind, id).await?;
    Ok(state.store.comments(kind.word(), id, q.cursor()?, q.limit()?).await?.into())
}

/// Adds a comment on a project-side object; every member may.
pub async fn add_on_project(
    state: &AppState,
    p: &Principal,
    kind: ProjectObject,
    id: Id,
    body: &str,
) -> Result<Comment, ApiError> {
    let (a, link) = on_project_object(state, p, kind, id).await?;
    let body = validate::required_text("body", body)?;
    let subject = Subject { workspace_id: a.scope.workspace_id, kind: kind.word(), id };
    let notices = mention_notices(state, p, subject, &body, &link).await?;
    Ok(state.store.add_comment(a.user_id, subject, &body, &notices, state.clock.now()).await?)
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
