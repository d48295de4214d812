//! Comments on product- and project-side objects: who may write, edit and
//! delete them, and whom their @-mentions notify.

use serde::Deserialize;
use tandem_core::model::{Comment, User};
use tandem_core::{Id, ProductAction, ProjectAction, access, validate};
use tandem_store::Page;
use tandem_store::comments::Subject;
use tandem_store::notifications::Notice;
use tandem_store::product::ProductObject;
use utoipa::ToSchema;

use crate::access::{InProject, product_access, project_access};
use crate::error::AppError;
use crate::{App, links};

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
        ProductObject::IngestKey => "ingest_key",
    }
}

/// Proof that the caller may read the comments on an object.
#[derive(Debug, Clone, Copy)]
pub struct Thread {
    word: &'static str,
    id: Id,
}

/// The comments of a product-side object, if the caller may read them.
pub async fn thread(state: &App, user: Id, kind: ProductObject, id: Id) -> Result<Thread, AppError> {
    product_access(state, user, kind, id, ProductAction::Read).await?;
    Ok(Thread { word: subject_word(kind), id })
}

/// The comments of a project-side object, if the caller may read them.
pub async fn project_thread(state: &App, user: Id, kind: ProjectObject, id: Id) -> Result<Thread, AppError> {
    on_project_object(state, user, kind, id).await?;
    Ok(Thread { word: kind.word(), id })
}

/// A page of a thread's comments, oldest first.
pub async fn list(state: &App, t: &Thread, after: Option<Id>, limit: i64) -> Result<Page<Comment>, AppError> {
    Ok(state.store.comments(t.word, t.id, after, limit).await?)
}

/// Adds a comment as the caller on the object `id` of `kind`.
pub async fn add(state: &App, user: &User, kind: ProductObject, id: Id, body: &str) -> Result<Comment, AppError> {
    let a = product_access(state, user.id, kind, id, ProductAction::Comment).await?;
    let body = validate::required_text("body", body)?;
    let subject = Subject { workspace_id: a.scope.workspace_id, kind: subject_word(kind), id };
    let link = links::page_of(subject_word(kind), id, a.scope.product_id);
    let notices = mention_notices(state, user, subject, &body, &link).await?;
    Ok(state.store.add_comment(a.user_id, subject, &body, &notices, state.clock.now()).await?)
}

/// The notifications of the members a comment @-mentions: by e-mail
/// address or by its part before the `@` when only one member has it.
async fn mention_notices(
    state: &App,
    author: &User,
    subject: Subject,
    body: &str,
    link: &str,
) -> Result<Vec<Notice>, AppError> {
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
            && m.user_id != author.id
            && !out.iter().any(|n| n.user_id == m.user_id)
        {
            out.push(Notice {
                user_id: m.user_id,
                reason: "mention",
                subject_type: subject.kind.to_owned(),
                subject_id: subject.id,
                text: format!("{} mentioned you: {excerpt}", author.name),
                link: link.to_owned(),
            });
        }
    }
    Ok(out)
}

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

/// The project an object is in (not found for none or another
/// workspace's), the caller's access there, and the page about the object.
async fn on_project_object(
    state: &App,
    user: Id,
    kind: ProjectObject,
    id: Id,
) -> Result<(InProject, String), AppError> {
    let project = match kind {
        ProjectObject::Project => id,
        ProjectObject::Task => state.store.task_project(id).await?,
        ProjectObject::Risk => state.store.risk(id).await?.project_id,
        ProjectObject::ChangeRequest => state.store.change_request(id).await?.cr.project_id,
    };
    let a = project_access(state, user, project, ProjectAction::Read).await?;
    let link = links::page_of(kind.word(), id, project);
    Ok((a, link))
}

/// Adds a comment on a project-side object; every member may.
pub async fn add_on_project(
    state: &App,
    user: &User,
    kind: ProjectObject,
    id: Id,
    body: &str,
) -> Result<Comment, AppError> {
    let (a, link) = on_project_object(state, user.id, kind, id).await?;
    let body = validate::required_text("body", body)?;
    let subject = Subject { workspace_id: a.scope.workspace_id, kind: kind.word(), id };
    let notices = mention_notices(state, user, subject, &body, &link).await?;
    Ok(state.store.add_comment(a.user_id, subject, &body, &notices, state.clock.now()).await?)
}

/// Proof that the caller may edit or delete a comment: they wrote it, or
/// they are an admin of its workspace.
#[derive(Debug)]
pub struct OwnComment {
    pub user_id: Id,
    pub comment: Comment,
}

/// The comment `c` if the caller may change it: not found for none or
/// another workspace's, forbidden for someone else's.
pub async fn own_comment(state: &App, user: Id, c: Id) -> Result<OwnComment, AppError> {
    let (comment, ws) = state.store.comment(c).await?;
    let role = state.store.role_in(ws, user).await?.ok_or(AppError::NotFound)?;
    if access::may_edit_comment(role, comment.author_id == Some(user)) {
        Ok(OwnComment { user_id: user, comment })
    } else {
        Err(AppError::Forbidden)
    }
}

/// Edits the comment.
pub async fn edit(state: &App, own: &OwnComment, version: i64, body: &str) -> Result<Comment, AppError> {
    let body = validate::required_text("body", body)?;
    Ok(state.store.edit_comment(own.user_id, own.comment.id, version, &body, state.clock.now()).await?)
}

/// Deletes the comment.
pub async fn delete(state: &App, own: &OwnComment) -> Result<(), AppError> {
    Ok(state.store.delete_comment(own.user_id, own.comment.id, state.clock.now()).await?)
}
