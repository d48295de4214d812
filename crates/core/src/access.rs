//! What each role may do: one table, consulted by the server's single
//! authorisation guard. Handlers name an [`Action`]; they never test roles.

use crate::Role;
use crate::decision::DecisionKind;

/// Something a member asks to do inside a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the workspace, its navigation and its name.
    WorkspaceRead,
    /// Rename the workspace or change its settings.
    WorkspaceUpdate,
    /// List members and their roles.
    MembersRead,
    /// Add or remove members and change their roles.
    MembersManage,
    /// Read the activity log.
    ActivityRead,
    /// Create a product (its owner must be a product manager or admin).
    ProductCreate,
    /// Create a project (its manager must be a project manager or admin).
    ProjectCreate,
    /// Add and edit the workspace's resources (people, material, cost).
    ResourcesManage,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::WorkspaceRead,
        Action::WorkspaceUpdate,
        Action::MembersRead,
        Action::MembersManage,
        Action::ActivityRead,
        Action::ProductCreate,
        Action::ProjectCreate,
        Action::ResourcesManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::WorkspaceRead => "workspace_read",
            Action::WorkspaceUpdate => "workspace_update",
            Action::MembersRead => "members_read",
            Action::MembersManage => "members_manage",
            Action::ActivityRead => "activity_read",
            Action::ProductCreate => "product_create",
            Action::ProjectCreate => "project_create",
            Action::ResourcesManage => "resources_manage",
        }
    }
}

/// Who may do what. Admins may do everything; reading the workspace, its
/// members and its history is open to every member.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    match action {
        WorkspaceRead | MembersRead | ActivityRead => true,
        WorkspaceUpdate | MembersManage => role == Role::Admin,
        ProductCreate => matches!(role, Role::Admin | Role::ProductManager),
        ProjectCreate | ResourcesManage => matches!(role, Role::Admin | Role::ProjectManager),
    }
}

/// Something a member asks to do with a project or an object under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProjectAction {
    /// See the project and everything under it.
    Read,
    /// Change the plan: the project's fields, its tasks and dependencies.
    Edit,
    /// Take part in the work: log time, file defects, move the cards of
    /// tasks one is assigned to (the operation checks the assignment).
    Contribute,
}

/// Who may act on a project: every member reads; admins edit, and so does
/// its manager while the matrix makes the manager's role accountable for
/// the schedule (project managers, by default).
pub fn project_allows(
    role: Role,
    is_manager: bool,
    action: ProjectAction,
    accountable: impl Fn(DecisionKind) -> Vec<Role>,
) -> bool {
    match action {
        ProjectAction::Read => true,
        ProjectAction::Edit => {
            role == Role::Admin || (is_manager && accountable(DecisionKind::Schedule).contains(&role))
        }
        ProjectAction::Contribute => role != Role::Stakeholder,
    }
}

/// Something a member asks to do with a product or an object under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductAction {
    /// See the product and everything under it.
    Read,
    /// Send feedback into the product's inbox.
    SubmitFeedback,
    /// Comment on the product or an object under it.
    Comment,
    /// Change the product's content: feature text, feedback triage and
    /// links, OKRs, competitors, metrics.
    Edit,
    /// Take a decision of this kind (priority, roadmap, release scope,
    /// vision).
    Decide(DecisionKind),
}

/// Who may act on a product. Every member reads, comments and submits
/// feedback;
/// admins do everything; otherwise only the product's owner edits, and
/// decides only what the matrix makes the owner's role accountable for.
/// `accountable` lists the roles accountable for a decision kind.
pub fn product_allows(
    role: Role,
    is_owner: bool,
    action: ProductAction,
    accountable: impl Fn(DecisionKind) -> Vec<Role>,
) -> bool {
    match action {
        ProductAction::Read | ProductAction::SubmitFeedback | ProductAction::Comment => true,
        _ if role == Role::Admin => true,
        ProductAction::Edit => is_owner && role == Role::ProductManager,
        ProductAction::Decide(kind) => is_owner && accountable(kind).contains(&role),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_may_do_everything() {
        for a in Action::ALL {
            assert!(allows(Role::Admin, a), "{a:?}");
        }
    }

    use crate::decision::default_accountable as defaults;

    #[test]
    fn product_rights_follow_ownership_and_the_matrix() {
        use ProductAction::*;
        let priority = Decide(DecisionKind::FeaturePriority);
        for r in Role::ALL {
            assert!(product_allows(r, false, Read, defaults));
            assert!(product_allows(r, false, SubmitFeedback, defaults));
            assert!(product_allows(r, false, Comment, defaults));
            let owner_pdm = r == Role::ProductManager;
            assert_eq!(product_allows(r, true, Edit, defaults), r == Role::Admin || owner_pdm, "{r:?}");
            assert_eq!(product_allows(r, true, priority, defaults), r == Role::Admin || owner_pdm, "{r:?}");
            // Not the owner: only admins.
            assert_eq!(product_allows(r, false, priority, defaults), r == Role::Admin, "{r:?}");
        }
        // A matrix that gives priority to project managers takes it from the PdM owner.
        let pm_decides = |_k| vec![Role::ProjectManager];
        assert!(!product_allows(Role::ProductManager, true, priority, pm_decides));
        assert!(product_allows(Role::ProductManager, true, Edit, pm_decides));
        assert!(allows(Role::ProductManager, Action::ProductCreate));
        assert!(allows(Role::ProjectManager, Action::ProjectCreate));
        assert!(!allows(Role::ProductManager, Action::ProjectCreate));
        assert!(project_allows(Role::ProjectManager, true, ProjectAction::Edit, pm_decides));
        assert!(!project_allows(Role::ProjectManager, false, ProjectAction::Edit, pm_decides));
        assert!(!project_allows(Role::Contributor, true, ProjectAction::Edit, pm_decides));
        assert!(project_allows(Role::Stakeholder, false, ProjectAction::Read, pm_decides));
        assert!(!allows(Role::ProjectManager, Action::ProductCreate));
    }

    #[test]
    fn only_admins_manage_members_and_settings() {
        for r in Role::ALL {
            assert_eq!(allows(r, Action::MembersManage), r == Role::Admin);
            assert_eq!(allows(r, Action::WorkspaceUpdate), r == Role::Admin);
            assert!(allows(r, Action::MembersRead));
        }
    }
}
