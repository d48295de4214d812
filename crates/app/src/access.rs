//! Who may do what, resolved for one caller: the workspace role, the
//! object's product or project and its owner, the decision-rights matrix.
//! The rules themselves are `tandem_core::access`; this module loads the
//! facts they take.

use tandem_core::access::{self, Holds};
use tandem_core::decision::Matrix;
use tandem_core::project::Project;
use tandem_core::{Action, Id, ProductAction, ProjectAction, Role, allows, product_allows, project_allows};
use tandem_store::product::{ProductObject, ProductScope};
use tandem_store::project::ProjectScope;

use crate::App;
use crate::error::AppError;

/// The caller's role in `ws`, checked against `action`: not found for a
/// non-member, forbidden for a member whose role lacks the right.
pub async fn authorize(state: &App, user: Id, ws: Id, action: Action) -> Result<Role, AppError> {
    let role = state.store.role_in(ws, user).await?.ok_or(AppError::NotFound)?;
    if allows(role, action) { Ok(role) } else { Err(AppError::Forbidden) }
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
    pub fn require(&self, action: ProductAction) -> Result<(), AppError> {
        if self.may(action) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// What the caller holds here: the product if they own it, and a
    /// project if they manage one of the product's `projects`.
    pub fn holds(&self, projects: &[Project]) -> Holds {
        Holds {
            product: self.scope.owner_id == self.user_id,
            project: projects.iter().any(|p| p.manager_id == self.user_id),
        }
    }
}

/// Resolves the object `id` of `kind` to its product and checks that the
/// caller may do `action` there: 404 when the object does not exist or is
/// in a workspace the caller is not in, 403 when the role or ownership
/// does not allow it.
pub async fn product_access(
    state: &App,
    user: Id,
    kind: ProductObject,
    id: Id,
    action: ProductAction,
) -> Result<InProduct, AppError> {
    let scope = state.store.product_scope(kind, id).await?;
    let role = state.store.role_in(scope.workspace_id, user).await?.ok_or(AppError::NotFound)?;
    let matrix = state.store.decision_matrix(scope.workspace_id).await?.matrix;
    let access = InProduct { user_id: user, role, scope, matrix };
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
        access::manages_project(self.role, self.scope.manager_id == self.user_id)
    }

    /// Whether the caller's role takes part in the project's work.
    pub fn contributes(&self) -> bool {
        access::may_contribute(self.role)
    }

    /// What the caller holds here: the project if they manage it, its
    /// product if they own it (or it has none).
    pub async fn holds(&self, state: &App) -> Result<Holds, AppError> {
        let project = state.store.project(self.scope.project_id).await?;
        let product = match project.product_id {
            Some(p) => state.store.product(p).await?.owner_id == self.user_id,
            None => true,
        };
        Ok(Holds { product, project: self.scope.manager_id == self.user_id })
    }
}

/// Resolves the project and checks `action` there: 404 for an unknown
/// project or another workspace's, 403 when the role does not allow it.
pub async fn project_access(state: &App, user: Id, project: Id, action: ProjectAction) -> Result<InProject, AppError> {
    let (scope, role) = state.store.project_scope_for(project, user).await?;
    let role = role.ok_or(AppError::NotFound)?;
    let matrix = match action {
        ProjectAction::Edit => state.store.decision_matrix(scope.workspace_id).await?.matrix,
        _ => Matrix::default(),
    };
    if !project_allows(role, scope.manager_id == user, action, |k| matrix.accountable(k)) {
        return Err(AppError::Forbidden);
    }
    Ok(InProject { user_id: user, role, scope })
}
