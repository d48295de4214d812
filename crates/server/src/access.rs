//! The single authorisation guard. A handler that acts inside a workspace
//! takes `Allowed<P>`, where `P` names an [`Action`]; the guard resolves
//! the workspace from the path, the caller's role there, and consults
//! [`tandem_core::allows`]. A non-member gets 404, so ids do not leak; a
//! member whose role lacks the right gets 403.

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use tandem_core::decision::Matrix;
use tandem_core::{Action, Id, ProductAction, ProjectAction, Role, allows, product_allows, project_allows};
use tandem_store::product::{ProductObject, ProductScope};
use tandem_store::project::ProjectScope;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// A marker type naming the action a handler performs.
pub trait Permission: Send + Sync + 'static {
    const ACTION: Action;
}

macro_rules! permissions {
    ($($name:ident),* $(,)?) => {$(
        #[doc = concat!("Marker for [`Action::", stringify!($name), "`].")]
        #[derive(Debug)]
        pub struct $name;
        impl Permission for $name {
            const ACTION: Action = Action::$name;
        }
    )*};
}

permissions!(
    WorkspaceRead,
    WorkspaceUpdate,
    MembersRead,
    MembersManage,
    ActivityRead,
    ProductCreate,
    ProjectCreate,
    ResourcesManage,
);

/// Proof that the caller may perform `P` in workspace `ws`.
#[derive(Debug)]
pub struct Allowed<P> {
    pub principal: Principal,
    pub ws: Id,
    pub role: Role,
    _p: PhantomData<P>,
}

impl<P> Allowed<P> {
    pub fn user_id(&self) -> Id {
        self.principal.user.id
    }
}

/// The caller's role in `ws`, checked against `action`.
pub async fn authorize(state: &AppState, principal: &Principal, ws: Id, action: Action) -> Result<Role, ApiError> {
    let role = state.store.role_in(ws, principal.id()).await?.ok_or(ApiError::NotFound)?;
    if allows(role, action) { Ok(role) } else { Err(ApiError::Forbidden) }
}

impl<P, S> FromRequestParts<S> for Allowed<P>
where
    P: Permission,
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| ApiError::NotFound)?;
        let ws = params
            .iter()
            .find(|(k, _)| *k == "ws")
            .and_then(|(_, v)| v.parse::<Id>().ok())
            .ok_or(ApiError::NotFound)?;
        let state = AppState::from_ref(state);
        let role = authorize(&state, &principal, ws, P::ACTION).await?;
        Ok(Allowed { principal, ws, role, _p: PhantomData })
    }
}

/// Proof that the caller may act on a product's object: the object's
/// workspace and product, and the caller's role there.
#[derive(Debug)]
pub struct InProduct {
    pub user_id: Id,
    pub role: Role,
    pub scope: ProductScope,
    /// The workspace's decision-rights matrix: who decides what.
    pub matrix: Matrix,
}

impl InProduct {
    /// Whether the caller may also do `action` on the same product.
    pub fn may(&self, action: ProductAction) -> bool {
        product_allows(self.role, self.scope.owner_id == self.user_id, action, |k| self.matrix.accountable(k))
    }

    /// 403 unless the caller may also do `action`.
    pub fn require(&self, action: ProductAction) -> Result<(), ApiError> {
        if self.may(action) { Ok(()) } else { Err(ApiError::Forbidden) }
    }
}

/// Resolves the object `id` of `kind` to its product and checks that the
/// caller may do `action` there: 404 when the object does not exist or is
/// in a workspace the caller is not in, 403 when the role or ownership
/// does not allow it.
pub async fn product_access(
    state: &AppState,
    principal: &Principal,
    kind: ProductObject,
    id: Id,
    action: ProductAction,
) -> Result<InProduct, ApiError> {
    let scope = state.store.product_scope(kind, id).await?;
    let role = state.store.role_in(scope.workspace_id, principal.id()).await?.ok_or(ApiError::NotFound)?;
    let matrix = state.store.decision_matrix(scope.workspace_id).await?.matrix;
    let access = InProduct { user_id: principal.id(), role, scope, matrix };
    access.require(action)?;
    Ok(access)
}

/// Proof that the caller may act on a project.
#[derive(Debug)]
pub struct InProject {
    pub user_id: Id,
    pub role: Role,
    pub scope: ProjectScope,
}

impl InProject {
    /// Whether the caller manages the project: an admin, or its manager
    /// while a project manager.
    pub fn manages(&self) -> bool {
        self.role == Role::Admin || (self.role == Role::ProjectManager && self.scope.manager_id == self.user_id)
    }
}

/// Resolves the project and checks `action` there: 404 for an unknown
/// project or another workspace's, 403 when the role does not allow it.
pub async fn project_access(
    state: &AppState,
    principal: &Principal,
    project: Id,
    action: ProjectAction,
) -> Result<InProject, ApiError> {
    let scope = state.store.project_scope(project).await?;
    let role = state.store.role_in(scope.workspace_id, principal.id()).await?.ok_or(ApiError::NotFound)?;
    let matrix = match action {
        ProjectAction::Edit => state.store.decision_matrix(scope.workspace_id).await?.matrix,
        _ => Matrix::default(),
    };
    if !project_allows(role, scope.manager_id == principal.id(), action, |k| matrix.accountable(k)) {
        return Err(ApiError::Forbidden);
    }
    Ok(InProject { user_id: principal.id(), role, scope })
}
